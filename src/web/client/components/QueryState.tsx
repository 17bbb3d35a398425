import { Alert, Button, Center, Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/field-errors';

/** Loading and error states of a query, the same on every screen. */
export function QueryState({ error, loading, retry }: { error: unknown; loading: boolean; retry?: () => void }) {
  const { t } = useTranslation();
  if (error)
    return (
      <Alert color="red" role="alert" title={errorText(error, t)}>
        {retry && (
          <Button variant="white" color="red" size="xs" onClick={retry}>
            {t('common.retry')}
          </Button>
        )}
      </Alert>
    );
  if (loading)
    return (
      <Center py="lg">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  return null;
}
