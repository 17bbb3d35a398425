/**
 * A distribution day at a site (a school gym, a tablet, a weak connection): the site's list of households and what
 * each is due; a household found by name, household number, IIN (asked of the API, which matches it on a keyed hash)
 * or a scanned code; the hand-over recorded (all, part or nothing, by the head or a proxy whose IIN is checked as it
 * is typed) with a signature or a thumbprint drawn on the screen; its receipt printed. Without a connection the
 * hand-over waits on the device with its Idempotency-Key and is sent once when the connection returns. The paper
 * list is one tap away for when the tablet dies.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { DocumentLanguage, useDocumentLang } from '../components/DocumentLanguage';
import { IinInput } from '../components/IinInput';
import { QueryState } from '../components/QueryState';
import { ScanField } from '../components/ScanField';
import { SignaturePad } from '../components/SignaturePad';
import { ApiError, api, type Page } from '../lib/api';
import { useItems } from '../lib/data';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import {
  type Batch,
  type DueRow,
  findRows,
  type HandOver,
  type Household,
  type PartProblem,
  partialLines,
} from '../lib/households';
import { iinProblem, normaliseIin } from '../lib/iin';
import { useOffline } from '../lib/offline';
import { usePrintPdf } from '../lib/print';
import { inBaseUnit, subUnitOf } from '../lib/stock';
import { nameIn } from '../lib/types';

interface DueList {
  batch: Batch;
  rows: DueRow[];
}

function HandOverForm({ row, onDone }: { row: DueRow; onDone: (message: { color: string; text: string }) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { submit } = useOffline();
  const items = useItems();
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<'all' | 'part' | 'none'>('all');
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [by, setBy] = useState<'head' | 'proxy'>('head');
  const [iin, setIin] = useState('');
  const [proxyName, setProxyName] = useState('');
  const [reason, setReason] = useState('');
  const [signature, setSignature] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** A field's message goes as soon as the field is changed: it was about the value before. */
  const cleared = (field: string) => setErrors(({ [field]: _gone, ...rest }) => rest);
  const [busy, setBusy] = useState(false);
  const receipt = usePrintPdf();
  const [lang, setLang] = useDocumentLang();
  const [handOver, setHandOver] = useState<HandOver | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  // Each line in the unit the screen shows: the item's base unit when it is known, else the API's sub-unit.
  const lines = row.lines.map((line) => {
    const item = items.data?.find((candidate) => candidate.id === line.itemId);
    const unit = line.unit ?? (item ? subUnitOf(item.baseUnit) : 'piece');
    const baseUnit = item && inBaseUnit(0, unit, item.baseUnit) !== undefined ? item.baseUnit : unit;
    return { ...line, item, unit, baseUnit, reservedShown: inBaseUnit(line.reserved, unit, baseUnit) ?? '0' };
  });
  const part = partialLines(lines, typed);
  const partMessage = (problem: PartProblem | undefined) =>
    problem ? t(`distribution.partProblems.${problem}`) : undefined;

  const send = async () => {
    const problems: Record<string, string> = {};
    const iinError = iinProblem(iin);
    if (iinError) problems.iin = t(`iin.${iinError}`);
    if (outcome !== 'none' && !signature) problems.signature = t('distribution.signatureRequired');
    if (outcome !== 'all' && reason.trim().length < 3) problems.reason = t('distribution.reasonRequired');
    if (by === 'proxy' && !proxyName.trim()) problems.proxyName = t('validation.required');
    if (outcome === 'part') {
      for (const [itemId, problem] of Object.entries(part.problems))
        problems[`line.${itemId}`] = partMessage(problem) ?? '';
    }
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setFailure(null);
    try {
      const result = await submit<HandOver>({
        kind: 'distribution',
        method: 'POST',
        path: `/allocations/${row.allocationId}/hand-over`,
        body: {
          outcome,
          ...(outcome === 'part' ? { lines: part.lines } : {}),
          ...(outcome !== 'all' ? { reason: reason.trim() } : {}),
          receivedBy: { kind: by, iin: normaliseIin(iin), name: by === 'proxy' ? proxyName.trim() || null : null },
          proof: signature ? { kind: 'image', png: signature } : { kind: 'none' },
          handedOverAt: new Date().toISOString(),
        },
        summary: `${row.householdNumber} · ${row.head}`,
      });
      if (result.queued) {
        onDone({ color: 'orange', text: t('distribution.queued', { household: row.householdNumber }) });
        return;
      }
      setHandOver(result.response);
      await queryClient.invalidateQueries({ queryKey: ['distribution'] });
    } catch (error) {
      if (error instanceof ApiError) {
        const named: Record<string, string> = {};
        for (const fieldError of error.fieldErrors) {
          if (fieldError.field.startsWith('receivedBy.iin'))
            named.iin = fieldError.type === 'iin.mismatch' ? t('distribution.notHeadIin') : t('iin.checkDigit');
          if (fieldError.field.startsWith('receivedBy.name')) named.proxyName = t('validation.required');
          if (fieldError.field.startsWith('proof')) named.signature = t('distribution.signatureRequired');
          if (fieldError.field === 'reason') named.reason = t('distribution.reasonRequired');
          const line = /^lines\[(\d+)\]/.exec(fieldError.field);
          const itemId = line ? part.lines[Number(line[1])]?.itemId : undefined;
          if (itemId) named[`line.${itemId}`] = t('distribution.partProblems.tooMuch');
        }
        setErrors(named);
      }
      setFailure(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  if (handOver) {
    return (
      <Stack>
        <Alert color="teal" role="status" data-testid="handed-over">
          {t('distribution.done', { number: handOver.number })}
        </Alert>
        <DocumentLanguage value={lang} onChange={setLang} />
        {receipt.error && <Text c="red.9">{receipt.error}</Text>}
        <Group>
          <Button
            loading={receipt.isPrinting()}
            onClick={() => void receipt.print(`/hand-overs/${handOver.id}/receipt.pdf`, { lang })}
            data-testid="print-hand-over"
          >
            {t('distribution.printReceipt')}
          </Button>
          <Button
            variant="default"
            onClick={() => onDone({ color: 'teal', text: t('distribution.done', { number: handOver.number }) })}
          >
            {t('common.close')}
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack>
      {failure && (
        <Alert color="red" role="alert" data-testid="hand-over-error">
          {failure}
        </Alert>
      )}
      <Stack gap={2}>
        {lines.map((line) => (
          <Text key={line.itemId} size="sm">
            {nameIn(line.item?.name, format.lang)}: {format.quantity(line.reservedShown, line.baseUnit)}
            {line.short > 0 &&
              ` (${t('distribution.short', { count: format.quantity(inBaseUnit(line.short, line.unit, line.baseUnit) ?? '0', line.baseUnit) })})`}
          </Text>
        ))}
      </Stack>
      <SegmentedControl
        aria-label={t('distribution.outcome')}
        value={outcome}
        onChange={(value) => {
          setOutcome(value === 'none' || value === 'part' ? value : 'all');
          // The pad is taken away for "nothing": a signature drawn before it is gone with it.
          if (value === 'none') setSignature(null);
        }}
        data={[
          { value: 'all', label: t('distribution.outcomes.all') },
          { value: 'part', label: t('distribution.outcomes.part') },
          { value: 'none', label: t('distribution.outcomes.none') },
        ]}
        data-testid="hand-over-outcome"
      />
      {outcome === 'part' && (
        <Stack gap="xs">
          <Text size="sm">{t('distribution.partHint')}</Text>
          {lines.map((line) => (
            <TextInput
              key={line.itemId}
              label={`${nameIn(line.item?.name, format.lang)} (${t('distribution.ofReserved', { count: format.quantity(line.reservedShown, line.baseUnit) })})`}
              inputMode="decimal"
              value={typed[line.itemId] ?? ''}
              placeholder={format.quantity(line.reservedShown, line.baseUnit)}
              error={errors[`line.${line.itemId}`]}
              onChange={(event) => {
                const text = event.currentTarget.value;
                setTyped((current) => ({ ...current, [line.itemId]: text }));
                cleared(`line.${line.itemId}`);
                cleared('line.all');
              }}
              data-testid="part-quantity"
            />
          ))}
          {errors['line.all'] && (
            <Text c="red.9" size="sm" role="alert">
              {errors['line.all']}
            </Text>
          )}
        </Stack>
      )}
      <SegmentedControl
        aria-label={t('distribution.receivedBy')}
        value={by}
        onChange={(value) => setBy(value === 'proxy' ? 'proxy' : 'head')}
        data={[
          { value: 'head', label: t('distribution.byHead') },
          { value: 'proxy', label: t('distribution.byProxy') },
        ]}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <IinInput
          label={t('distribution.receiverIin')}
          required
          value={iin}
          onChange={(value) => {
            setIin(value);
            cleared('iin');
          }}
          error={errors.iin}
          testId="receiver-iin"
        />
        {by === 'proxy' && (
          <TextInput
            label={t('distribution.proxyName')}
            required
            error={errors.proxyName}
            value={proxyName}
            onChange={(event) => setProxyName(event.currentTarget.value)}
          />
        )}
      </SimpleGrid>
      {outcome !== 'all' && (
        <TextInput
          label={t('distribution.reason')}
          description={t('distribution.reasonHint')}
          required
          value={reason}
          error={errors.reason}
          onChange={(event) => {
            setReason(event.currentTarget.value);
            cleared('reason');
          }}
          data-testid="hand-over-reason"
        />
      )}
      {outcome !== 'none' && (
        <SignaturePad
          label={t('distribution.signature')}
          onChange={(png) => {
            setSignature(png);
            if (png) cleared('signature');
          }}
          error={errors.signature}
        />
      )}
      <Button size="lg" onClick={() => void send()} loading={busy} data-testid="record-hand-over">
        {t('distribution.record')}
      </Button>
    </Stack>
  );
}

export default function DistributionDay() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const due = useQuery({
    queryKey: ['distribution', id, 'due'],
    queryFn: () => api<DueList>(`/distribution-batches/${id}/due`),
  });
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<DueRow | null>(null);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const paper = usePrintPdf();
  const [lang, setLang] = useDocumentLang();
  const rows = due.data?.rows ?? [];

  // A typed IIN is looked up by the API; the list holds none.
  const typedIin = iinProblem(query) === null ? normaliseIin(query) : null;
  const lookup = useQuery({
    queryKey: ['households', { iin: typedIin }],
    queryFn: () => api<Page<Household>>('/households', { query: { iin: typedIin, limit: 10 } }),
    enabled: typedIin !== null,
  });
  const iinHouseholds = typedIin && lookup.data ? lookup.data.data.map((household) => household.id) : null;
  const shown = iinHouseholds ? rows.filter((row) => iinHouseholds.includes(row.householdId)) : findRows(rows, query);
  const done = rows.filter((row) => row.status === 'handed_over').length;

  const onScan = (code: string) => {
    const found = findRows(rows, code);
    setQuery(code);
    if (found.length === 1) setSelected(found[0]);
  };

  return (
    <Stack>
      <QueryState error={due.error} loading={due.isPending} retry={() => void due.refetch()} />
      {due.data && (
        <>
          <Title order={1}>{due.data.batch.site.name}</Title>
          <Text>
            {due.data.batch.number} · {due.data.batch.site.settlement} · {format.date(due.data.batch.plannedOn)}
          </Text>
          <Badge size="lg" variant="outline" data-testid="progress">
            {t('distribution.progress', { done, total: rows.length })}
          </Badge>
          {message && (
            <Alert color={message.color} role={message.color === 'red' ? 'alert' : 'status'} data-testid="day-message">
              {message.text}
            </Alert>
          )}
          <ScanField label={t('distribution.scan')} onScan={onScan} testId="day-scan" />
          <TextInput
            label={t('distribution.find')}
            description={t('distribution.findHint')}
            value={query}
            autoComplete="off"
            data-testid="day-search"
            onChange={(event) => setQuery(event.currentTarget.value)}
          />
          {shown.length === 0 && <Text>{t('household.none')}</Text>}
          {shown.map((row) => (
            <Card withBorder key={row.allocationId} data-testid="due-row" data-household={row.householdNumber}>
              <Group justify="space-between" wrap="nowrap">
                <div>
                  <Text fw={700}>{row.head}</Text>
                  <Text size="sm">
                    {row.householdNumber} · {row.settlement} · {t('household.size', { count: row.size })}
                  </Text>
                </div>
                {row.status === 'handed_over' ? (
                  <Badge color="teal.9" variant="filled">
                    {t('distribution.handedOver')}
                  </Badge>
                ) : (
                  <Button onClick={() => setSelected(row)} data-testid="hand-over">
                    {t('distribution.handOver')}
                  </Button>
                )}
              </Group>
            </Card>
          ))}
          <Card withBorder>
            <Stack>
              <Text fw={700}>{t('distribution.paperList')}</Text>
              <Text size="sm">{t('distribution.paperHint')}</Text>
              <DocumentLanguage value={lang} onChange={setLang} />
              {paper.error && <Text c="red.9">{paper.error}</Text>}
              <Group>
                <Button
                  variant="light"
                  loading={paper.isPrinting()}
                  onClick={() => void paper.print(`/distribution-batches/${id}/distribution-list.pdf`, { lang })}
                  data-testid="print-list"
                >
                  {t('distribution.printList')}
                </Button>
              </Group>
            </Stack>
          </Card>
        </>
      )}
      <Modal
        opened={selected !== null}
        onClose={() => setSelected(null)}
        title={selected ? `${selected.head} · ${selected.householdNumber}` : ''}
        fullScreen={typeof window !== 'undefined' && window.innerWidth < 600}
      >
        {selected && (
          <HandOverForm
            row={selected}
            onDone={(next) => {
              setMessage(next);
              setSelected(null);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
