/** One donation: its lines and status, and its receipt (the API's PDF, in the language chosen) to print. */
import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { DocumentLanguage, useDocumentLang } from '../components/DocumentLanguage';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { api } from '../lib/api';
import { useDonors, useItems, useWarehouses } from '../lib/data';
import { useFormat } from '../lib/format';
import { usePrintPdf } from '../lib/print';
import { type Donation, nameIn } from '../lib/types';

export default function DonationView() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const donation = useQuery({ queryKey: ['donations', id], queryFn: () => api<Donation>(`/donations/${id}`) });
  const items = useItems();
  const warehouses = useWarehouses();
  const donors = useDonors();
  const [receiptLang, setReceiptLang] = useDocumentLang();
  const receipt = usePrintPdf();

  const d = donation.data;
  const donor = donors.data?.find((x) => x.id === d?.donorId);
  const warehouse = warehouses.data?.find((w) => w.id === d?.warehouseId);

  return (
    <Stack>
      <QueryState error={donation.error} loading={donation.isPending} retry={() => void donation.refetch()} />
      {d && (
        <>
          <Group justify="space-between">
            <Title order={1} data-testid="donation-number">
              {d.number}
            </Title>
            <Badge size="lg" color={d.status === 'received' ? 'teal.9' : 'gray.7'} data-testid="donation-status">
              {t(`donation.statuses.${d.status}`)}
            </Badge>
          </Group>
          <Text>
            {t('donation.donor')}:{' '}
            {donor ? (donor.anonymous || !donor.name ? t('donation.anonymous') : donor.name) : ''}
          </Text>
          <Text>
            {t('donation.warehouse')}: {warehouse ? `${warehouse.code} · ${warehouse.name}` : ''}
          </Text>
          <Text>
            {t('donation.receivedAt')}: {format.date(d.receivedAt)}
          </Text>
          <ScrollTable label={t('donation.lines')} minWidth={480}>
            <Table striped data-testid="donation-lines">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('donation.item')}</Table.Th>
                  <Table.Th ta="right">{t('donation.quantity')}</Table.Th>
                  <Table.Th>{t('donation.condition')}</Table.Th>
                  <Table.Th>{t('donation.lot')}</Table.Th>
                  <Table.Th>{t('donation.expiry')}</Table.Th>
                  <Table.Th>{t('donation.bin')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.lines.map((line, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a donation's lines are fixed once received.
                  <Table.Tr key={index}>
                    <Table.Td>{nameIn(items.data?.find((i) => i.id === line.itemId)?.name, format.lang)}</Table.Td>
                    <Table.Td ta="right">{format.quantity(line.quantity, line.unit)}</Table.Td>
                    <Table.Td>{t(`conditions.${line.condition}` as 'conditions.new')}</Table.Td>
                    <Table.Td>{line.lot ?? ''}</Table.Td>
                    <Table.Td>{line.expiryDate ? format.date(line.expiryDate) : ''}</Table.Td>
                    <Table.Td>{line.locationCode ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          <Card withBorder>
            <Stack>
              <Text fw={700}>{t('donation.receipt')}</Text>
              <DocumentLanguage value={receiptLang} onChange={setReceiptLang} />
              {receipt.error && <Text c="red.9">{receipt.error}</Text>}
              <Group>
                <Button
                  onClick={() => void receipt.print(`/donations/${id}/receipt.pdf`, { lang: receiptLang })}
                  loading={receipt.isPrinting()}
                  data-testid="print-receipt"
                >
                  {t('donation.printReceipt')}
                </Button>
                <Button component={Link} to="/donations/new" variant="light">
                  {t('donation.newDonation')}
                </Button>
              </Group>
            </Stack>
          </Card>
        </>
      )}
    </Stack>
  );
}
