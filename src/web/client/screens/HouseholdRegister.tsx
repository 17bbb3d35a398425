/**
 * Register a household: its head (name, IIN checked as it is typed, birth date read from the IIN, phone), the other
 * members, where it lives, why it needs aid, and the legal basis for keeping its data. Sent as one POST /households;
 * the API's field errors appear under the field they name, in the user's language. Once saved, the household opens
 * with its identifiers masked.
 */
import {
  ActionIcon,
  Button,
  Card,
  Chip,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import '@mantine/dates/styles.css';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { FormFailure, useFormFailure } from '../components/FormFailure';
import { IinInput } from '../components/IinInput';
import type { Dictionary } from '../i18n/en';
import { api, newIdempotencyKey } from '../lib/api';
import { useFormat } from '../lib/format';
import { type Household, LEGAL_BASES, RELATIONS, VULNERABILITIES } from '../lib/households';
import { iinBirthDate, iinProblem, normaliseIin } from '../lib/iin';

interface MemberValues {
  name: string;
  relation: string | null;
  iin: string;
}

/** The API's paths to this form's fields. */
const HOUSEHOLD_FIELDS: Record<string, string> = {
  'head.name': 'headName',
  'head.iin': 'headIin',
  'head.birthDate': 'headBirthDate',
  'head.phone': 'headPhone',
  'address.region': 'region',
  'address.settlement': 'settlement',
  'address.line': 'line',
  'legalBasis.purpose': 'purpose',
  'legalBasis.basis': 'basis',
};

export default function HouseholdRegister() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      headName: '',
      headIin: '',
      headBirthDate: null as string | null,
      headPhone: '',
      members: [] as MemberValues[],
      region: null as string | null,
      settlement: '',
      line: '',
      vulnerabilities: [] as string[],
      basis: 'consent' as string | null,
      purpose: '',
    },
    validate: {
      headName: (value) => (value.trim() ? null : t('validation.required')),
      headIin: (value) => {
        const problem = iinProblem(value);
        return problem ? t(`iin.${problem}`) : null;
      },
      headBirthDate: (value) => (value ? null : t('validation.required')),
      region: (value) => (value ? null : t('validation.required')),
      settlement: (value) => (value.trim() ? null : t('validation.required')),
      purpose: (value) => (value.trim().length >= 3 ? null : t('validation.required')),
      members: {
        iin: (value) => {
          const problem = value ? iinProblem(value) : null;
          return problem ? t(`iin.${problem}`) : null;
        },
      },
    },
  });
  const failed = useFormFailure(form, HOUSEHOLD_FIELDS);

  const onIin = (value: string) => {
    form.setFieldValue('headIin', value);
    // The IIN carries the birth date: filled in for the coordinator, who can still correct it.
    const digits = normaliseIin(value);
    if (digits.length >= 7) {
      const born = iinBirthDate(digits.padEnd(12, '0'));
      if (born && !form.getValues().headBirthDate) form.setFieldValue('headBirthDate', born);
    }
  };

  const onSubmit = form.onSubmit(async (values) => {
    failed.clear();
    const body = {
      kind: 'household',
      head: {
        name: values.headName.trim(),
        iin: normaliseIin(values.headIin),
        birthDate: values.headBirthDate,
        phone: values.headPhone.trim() || null,
      },
      members: values.members.map((member) => ({
        name: member.name.trim() || null,
        relation: member.relation,
        iin: member.iin ? normaliseIin(member.iin) : null,
      })),
      address: { region: values.region, settlement: values.settlement.trim(), line: values.line.trim() || null },
      vulnerabilities: values.vulnerabilities,
      legalBasis: { basis: values.basis, purpose: values.purpose.trim() },
    };
    try {
      const household = await api<Household>('/households', {
        method: 'POST',
        body,
        idempotencyKey: newIdempotencyKey(),
      });
      await queryClient.invalidateQueries({ queryKey: ['households'] });
      form.reset();
      navigate(`/households/${household.id}`);
    } catch (error) {
      failed.show(error);
    }
  });

  return (
    <DatesProvider settings={{ locale: format.lang }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={1}>{t('household.register')}</Title>
          <FormFailure failure={failed.failure} testId="household-error" />
          <Card withBorder component="fieldset" style={{ minWidth: 0 }}>
            <Text component="legend" fw={700}>
              {t('household.head')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('household.name')}
                required
                data-testid="head-name"
                {...form.getInputProps('headName')}
              />
              <IinInput
                label={t('household.iin')}
                required
                testId="head-iin"
                value={form.values.headIin}
                onChange={onIin}
                error={form.errors.headIin as string | undefined}
              />
              <DateInput
                label={t('household.birthDate')}
                valueFormat="DD.MM.YYYY"
                size="md"
                required
                data-testid="head-birth-date"
                {...form.getInputProps('headBirthDate')}
              />
              <TextInput
                label={t('household.phone')}
                inputMode="tel"
                placeholder="+7 7XX XXX XX XX"
                {...form.getInputProps('headPhone')}
              />
            </SimpleGrid>
          </Card>
          {form.values.members.map((member, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: members have no identity before they are saved.
            <Card withBorder key={index} data-testid={`member-${index}`}>
              <Group justify="space-between" mb="xs">
                <Text fw={700}>{t('household.member', { n: index + 1 })}</Text>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('household.removeMember', { n: index + 1 })}
                  onClick={() => form.removeListItem('members', index)}
                >
                  ×
                </ActionIcon>
              </Group>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput label={t('household.name')} {...form.getInputProps(`members.${index}.name`)} />
                <Select
                  label={t('household.relation')}
                  data={RELATIONS.map((relation) => ({ value: relation, label: t(`household.relations.${relation}`) }))}
                  {...form.getInputProps(`members.${index}.relation`)}
                />
                <IinInput
                  label={t('household.iin')}
                  value={member.iin}
                  onChange={(value) => form.setFieldValue(`members.${index}.iin`, value)}
                  error={form.errors[`members.${index}.iin`] as string | undefined}
                />
              </SimpleGrid>
            </Card>
          ))}
          <Button
            variant="light"
            onClick={() => form.insertListItem('members', { name: '', relation: null, iin: '' })}
            data-testid="add-member"
          >
            {t('household.addMember')}
          </Button>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label={t('stock.region')}
              required
              searchable
              data-testid="region"
              data={Object.entries(regions).map(([value, label]) => ({ value, label }))}
              {...form.getInputProps('region')}
            />
            <TextInput
              label={t('household.settlement')}
              required
              data-testid="settlement"
              {...form.getInputProps('settlement')}
            />
            <TextInput label={t('household.address')} {...form.getInputProps('line')} />
          </SimpleGrid>
          <Stack gap={4}>
            <Text fw={500} size="sm">
              {t('household.vulnerabilities')}
            </Text>
            <Chip.Group multiple {...form.getInputProps('vulnerabilities')}>
              <Group gap="xs">
                {VULNERABILITIES.map((code) => (
                  <Chip key={code} value={code}>
                    {t(`household.vulnerability.${code}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          </Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('household.legalBasis')}
              allowDeselect={false}
              data={LEGAL_BASES.map((basis) => ({ value: basis, label: t(`household.bases.${basis}`) }))}
              {...form.getInputProps('basis')}
            />
            <Textarea
              label={t('household.purpose')}
              required
              autosize
              minRows={1}
              data-testid="purpose"
              {...form.getInputProps('purpose')}
            />
          </SimpleGrid>
          <Button type="submit" size="lg" loading={form.submitting} data-testid="submit-household">
            {t('household.submit')}
          </Button>
        </Stack>
      </form>
    </DatesProvider>
  );
}
