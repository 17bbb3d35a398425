/**
 * One shipment: where it goes, its totals in kg and tonnes, its handling units as a tree (boxes on pallets; a box
 * moved to another pallet in one tap), adding units many at once while it is a draft, the steps its status allows
 * (pack, dispatch, arrive, ...), its documents to print in kk, ru or en, and the way to count it in on arrival.
 */
import { Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { DocumentLanguage, useDocumentLang } from '../components/DocumentLanguage';
import { PackUnitsForm } from '../components/PackUnitsForm';
import { QueryState } from '../components/QueryState';
import { api, newIdempotencyKey } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useItems } from '../lib/data';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import { usePrintPdf } from '../lib/print';
import {
  canReceive,
  type HandlingUnit,
  moveTargets,
  nextSteps,
  type Shipment,
  type ShipmentStep,
  type UnitNode,
  unitTree,
} from '../lib/shipments';
import { nameIn } from '../lib/types';

const DOCUMENTS = ['labels', 'manifest', 'packing-list', 'gift-certificate'] as const;

export const STATUS_COLOR: Record<string, string> = {
  draft: 'gray.7',
  expected: 'gray.7',
  packed: 'blue.9',
  dispatched: 'indigo.9',
  arrived: 'violet.9',
  received: 'teal.9',
  received_with_discrepancies: '#9c3b00',
  closed: 'dark.5',
  cancelled: 'red.9',
  lost: 'red.9',
};

function UnitCard({
  node,
  units,
  editable,
  onMove,
}: {
  node: UnitNode;
  units: readonly HandlingUnit[];
  editable: boolean;
  onMove: (unitId: string, parentId: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const items = useItems();
  const { unit } = node;
  const targets = unit.kind === 'pallet' ? [] : moveTargets(units, unit.id).filter((p) => p.id !== unit.parentId);
  return (
    <Card withBorder p="xs" data-testid="handling-unit" data-code={unit.code} data-kind={unit.kind}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div>
          <Text fw={700}>
            {t(`shipment.unitKinds.${unit.kind}`)} {unit.number}/{unit.of} · {unit.code}
          </Text>
          {unit.lines.map((line) => (
            <Text size="sm" key={line.id}>
              {nameIn(items.data?.find((item) => item.id === line.itemId)?.name, format.lang)}:{' '}
              {format.quantity(line.quantity, line.unit)}
            </Text>
          ))}
          <Text size="xs" c="dimmed">
            {t('shipment.grossWeight')}: {format.weight(unit.grossKg).kg}
          </Text>
        </div>
      </Group>
      {editable && targets.length > 0 && (
        <Select
          aria-label={t('shipment.moveTo', { code: unit.code })}
          placeholder={t('shipment.move')}
          size="sm"
          mt="xs"
          data-testid={`move-${unit.code}`}
          value={null}
          data={targets.map((pallet) => ({
            value: pallet.id,
            label: `${pallet.code} (${pallet.number}/${pallet.of})`,
          }))}
          onChange={(value) => value && onMove(unit.id, value)}
        />
      )}
      {node.children.length > 0 && (
        <Stack gap="xs" mt="xs" pl="md" style={{ borderLeft: '3px solid var(--mantine-color-gray-4)' }}>
          {node.children.map((child) => (
            <UnitCard key={child.unit.id} node={child} units={units} editable={editable} onMove={onMove} />
          ))}
        </Stack>
      )}
    </Card>
  );
}

export default function ShipmentView() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const { me, can } = useAuth();
  const queryClient = useQueryClient();
  const shipment = useQuery({ queryKey: ['shipments', id], queryFn: () => api<Shipment>(`/shipments/${id}`) });
  const [docLang, setDocLang] = useDocumentLang();
  const [busy, setBusy] = useState<ShipmentStep | 'move' | null>(null);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const documents = usePrintPdf();

  const s = shipment.data;
  const units = s?.handlingUnits ?? [];
  const mine = s?.organisationId === me?.user?.organisationId;
  const editable = mine && s?.status === 'draft' && can('shipments:pack');
  const steps = s ? nextSteps(s, mine ? 'shipper' : 'consignee') : [];

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['shipments'] });
  };

  const run = async (step: ShipmentStep) => {
    setBusy(step);
    setMessage(null);
    try {
      const next = await api<Shipment>(`/shipments/${id}/${step}`, {
        method: 'POST',
        body: {},
        idempotencyKey: newIdempotencyKey(),
      });
      queryClient.setQueryData(['shipments', id], (current: Shipment | undefined) => ({ ...current, ...next }));
      await refresh();
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      setMessage({ color: 'teal', text: t('shipment.stepDone', { status: t(`shipment.statuses.${next.status}`) }) });
    } catch (error) {
      setMessage({ color: 'red', text: errorText(error, t) });
    } finally {
      setBusy(null);
    }
  };

  const move = async (unitId: string, parentId: string) => {
    setBusy('move');
    setMessage(null);
    try {
      await api(`/shipments/${id}/units/${unitId}/move`, {
        method: 'POST',
        body: { parentId },
        idempotencyKey: newIdempotencyKey(),
      });
      await refresh();
    } catch (error) {
      setMessage({ color: 'red', text: errorText(error, t) });
    } finally {
      setBusy(null);
    }
  };

  const total = s ? format.weight(s.totals.grossKg) : null;
  return (
    <Stack>
      <QueryState error={shipment.error} loading={shipment.isPending} retry={() => void shipment.refetch()} />
      {s && (
        <>
          <Group justify="space-between">
            <Title order={1} data-testid="shipment-number">
              {s.number}
            </Title>
            <Badge size="lg" variant="filled" color={STATUS_COLOR[s.status]} data-testid="shipment-status">
              {t(`shipment.statuses.${s.status}`)}
            </Badge>
          </Group>
          <Text>{t(`shipment.kinds.${s.kind}`)}</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t('shipment.from')}
              </Text>
              <Text fw={600}>{s.origin.name}</Text>
              <Text size="sm" c="dimmed" mt="xs">
                {t('shipment.to')}
              </Text>
              <Text fw={600}>
                {s.consignee.name} · {s.destination.name}
              </Text>
              {s.plannedDispatchAt && (
                <Text size="sm" mt="xs">
                  {t('shipment.plannedDispatch')}: {format.date(s.plannedDispatchAt)}
                </Text>
              )}
            </Card>
            <Card withBorder data-testid="shipment-totals">
              <Text size="sm" c="dimmed">
                {t('shipment.totals')}
              </Text>
              <Text fw={700}>{t('shipment.packages', { count: s.totals.packages })}</Text>
              <Text>
                {t('shipment.grossWeight')}: {total?.kg} · {total?.tonnes}
              </Text>
              <Text size="sm">
                {t('shipment.netWeight')}: {format.weight(s.totals.netKg).kg}
              </Text>
            </Card>
          </SimpleGrid>
          {message && (
            <Alert
              color={message.color}
              role={message.color === 'red' ? 'alert' : 'status'}
              data-testid="shipment-message"
            >
              {message.text}
            </Alert>
          )}
          {steps.length > 0 && (
            <Group>
              {steps.map((step) => (
                <Button
                  key={step}
                  variant={step === 'cancel' || step === 'unpack' ? 'default' : 'filled'}
                  color={step === 'cancel' ? 'red' : undefined}
                  loading={busy === step}
                  disabled={busy !== null && busy !== step}
                  onClick={() => void run(step)}
                  data-testid={`step-${step}`}
                >
                  {t(`shipment.steps.${step}`)}
                </Button>
              ))}
            </Group>
          )}
          {canReceive(s) && can('shipments:receive') && (
            <Button component={Link} to={`/shipments/${s.id}/receive`} variant="light" data-testid="go-receive">
              {t('shipment.receive')}
            </Button>
          )}

          <Title order={2} size="h3">
            {t('shipment.units')}
          </Title>
          {units.length === 0 && <Text>{t('shipment.noUnits')}</Text>}
          <Stack gap="xs" data-testid="unit-tree">
            {unitTree(units).map((node) => (
              <UnitCard key={node.unit.id} node={node} units={units} editable={editable} onMove={move} />
            ))}
          </Stack>
          {editable && (
            <Card withBorder>
              <Title order={3} size="h4" mb="sm">
                {t('shipment.addUnits')}
              </Title>
              <PackUnitsForm shipmentId={s.id} units={units} onAdded={refresh} />
            </Card>
          )}

          <Card withBorder>
            <Stack>
              <Text fw={700}>{t('shipment.documents')}</Text>
              <DocumentLanguage value={docLang} onChange={setDocLang} />
              {documents.error && <Text c="red.9">{documents.error}</Text>}
              <Group>
                {DOCUMENTS.map((document) => {
                  const path = `/shipments/${s.id}/${document}.pdf`;
                  return (
                    <Button
                      key={document}
                      variant="light"
                      loading={documents.isPrinting(path)}
                      disabled={units.length === 0}
                      onClick={() => void documents.print(path, { lang: docLang })}
                      data-testid={`print-${document}`}
                    >
                      {t(`shipment.documentNames.${document}`)}
                    </Button>
                  );
                })}
                {s.transportUnits.map((transport) => {
                  const path = `/shipments/${s.id}/transport-units/${transport.id}/waybill.pdf`;
                  return (
                    <Button
                      key={transport.id}
                      variant="light"
                      loading={documents.isPrinting(path)}
                      onClick={() => void documents.print(path, { lang: docLang })}
                      data-testid={`print-waybill-${transport.code}`}
                    >
                      {t('shipment.waybill', { code: transport.code })}
                    </Button>
                  );
                })}
              </Group>
            </Stack>
          </Card>
        </>
      )}
    </Stack>
  );
}
