/**
 * Households: find one by IIN (matched by the API on a keyed hash, never by decrypting every record), by settlement
 * or region, or by the head's name among those shown; register a new one. Identifiers are shown masked.
 */
import { Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../components/QueryState';
import type { Dictionary } from '../i18n/en';
import { api, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { foldName, type Household } from '../lib/households';
import { iinProblem, normaliseIin } from '../lib/iin';

export default function Households() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const [search, setSearch] = useState('');
  const [region, setRegion] = useState<string | null>(null);
  // A complete, valid IIN is looked up by the API; anything else filters the names shown.
  const iin = iinProblem(search) === null ? normaliseIin(search) : null;
  const households = useQuery({
    queryKey: ['households', { iin, region }],
    queryFn: () => api<Page<Household>>('/households', { query: { iin, region, limit: 100 } }),
  });
  const words = iin ? [] : foldName(search).split(' ').filter(Boolean);
  const shown = (households.data?.data ?? []).filter((household) => {
    const name = foldName(household.head?.name ?? household.institution?.name ?? '');
    return words.every((word) => name.includes(word) || household.number.toLowerCase().includes(word));
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('household.list')}</Title>
        {can('households:write') && (
          <Button component={Link} to="/households/new" data-testid="register-household">
            {t('household.register')}
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label={t('household.search')}
          description={t('household.searchHint')}
          value={search}
          autoComplete="off"
          data-testid="household-search"
          onChange={(event) => setSearch(event.currentTarget.value)}
        />
        <Select
          label={t('stock.region')}
          clearable
          searchable
          value={region}
          onChange={setRegion}
          data={Object.entries(regions).map(([value, label]) => ({ value, label }))}
        />
      </SimpleGrid>
      <QueryState error={households.error} loading={households.isPending} retry={() => void households.refetch()} />
      {households.data && shown.length === 0 && <Text>{t('household.none')}</Text>}
      {shown.map((household) => (
        <Card withBorder key={household.id} data-testid="household-row">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <div>
              <Anchor component={Link} to={`/households/${household.id}`} fw={700}>
                {household.head?.name ?? household.institution?.name}
              </Anchor>
              <Text size="sm">
                {household.number} · {t('household.iin')}: {household.head?.iin ?? '—'}
              </Text>
              <Text size="xs" c="dimmed">
                {household.address.settlement} · {t('household.size', { count: household.size })}
              </Text>
            </div>
            <Group gap={4} justify="flex-end">
              {household.vulnerabilities.map((code) => (
                <Badge key={code} variant="outline" color="blue.9">
                  {t(`household.vulnerability.${code}` as 'household.vulnerability.low_income', { defaultValue: code })}
                </Badge>
              ))}
            </Group>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
