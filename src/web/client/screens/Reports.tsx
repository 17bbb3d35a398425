/**
 * Reports: stock on hand by region, warehouse or category; donations received by month, donor or donor type; goods
 * issued by month, purpose, region or warehouse: a bar chart for looking and a table for reading (the API's report,
 * in the user's language), and the same report as PDF or CSV. The chart library (recharts through @mantine/charts)
 * loads with this screen only.
 */
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Button, Card, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { api } from '../lib/api';
import { useFormat } from '../lib/format';
import { usePrintPdf } from '../lib/print';
import { chartMeasure, chartRows, REPORTS, type ReportJson, type ReportName } from '../lib/reports';

const NAMES = Object.keys(REPORTS) as ReportName[];

export default function Reports() {
  const { t } = useTranslation();
  const format = useFormat();
  const [report, setReport] = useState<ReportName>('stock');
  const [groupBy, setGroupBy] = useState<string>(REPORTS.stock[0]);
  const table = useQuery({
    queryKey: ['reports', report, groupBy, format.lang],
    queryFn: () => api<ReportJson>(`/reports/${report}`, { query: { groupBy, format: 'json', lang: format.lang } }),
  });
  const download = usePrintPdf();
  const data = table.data ? chartRows(table.data) : [];
  const measure = table.data ? chartMeasure(table.data) : null;
  const measureHeader = table.data?.columns.find((column) => column.key === measure)?.header ?? '';
  const cell = (value: string | number | undefined, numeric: boolean) =>
    value === undefined || value === ''
      ? ''
      : numeric && !Number.isNaN(Number(value))
        ? format.number(value)
        : String(value);

  return (
    <Stack>
      <Title order={1}>{t('reports.title')}</Title>
      <SegmentedControl
        aria-label={t('reports.which')}
        value={report}
        onChange={(value) => {
          const next = NAMES.find((name) => name === value) ?? 'stock';
          setReport(next);
          setGroupBy(REPORTS[next][0]);
        }}
        data={NAMES.map((name) => ({ value: name, label: t(`reports.${name}`) }))}
        data-testid="report"
      />
      <SegmentedControl
        aria-label={t('reports.groupBy')}
        value={groupBy}
        onChange={setGroupBy}
        data={REPORTS[report].map((group) => ({ value: group, label: t(`reports.groups.${group}`) }))}
        data-testid="group-by"
      />
      <QueryState error={table.error} loading={table.isPending} retry={() => void table.refetch()} />
      {table.data && (
        <>
          <Card withBorder data-testid="report-chart">
            <Text fw={700}>
              {table.data.title}, {measureHeader}
            </Text>
            <Text size="sm" c="dimmed" mb="sm">
              {table.data.scope}
            </Text>
            {data.length === 0 ? (
              <Text>{t('reports.empty')}</Text>
            ) : (
              <BarChart
                h={Math.max(200, data.length * 40)}
                data={data}
                dataKey="label"
                orientation="vertical"
                yAxisProps={{ width: 150 }}
                valueFormatter={(value) => format.number(value, 3)}
                series={[{ name: 'value', label: measureHeader, color: 'blue.8' }]}
              />
            )}
          </Card>
          <ScrollTable label={table.data.title} minWidth={480}>
            <Table striped data-testid="report-table">
              <Table.Thead>
                <Table.Tr>
                  {table.data.columns.map((column, at) => (
                    <Table.Th key={column.key} ta={at ? 'right' : undefined}>
                      {column.header}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {table.data.rows.map((row) => (
                  <Table.Tr key={row.group}>
                    {table.data.columns.map((column, at) => (
                      <Table.Td key={column.key} ta={at ? 'right' : undefined}>
                        {cell(row[column.key], at > 0)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
                <Table.Tr fw={700}>
                  {table.data.columns.map((column, at) => (
                    <Table.Td key={column.key} ta={at ? 'right' : undefined}>
                      {at === 0 ? t('stock.totals') : cell(table.data.totals[column.key], true)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {table.data.notes.map((note) => (
            <Text size="sm" c="dimmed" key={note}>
              {note}
            </Text>
          ))}
          {download.error && <Text c="red.9">{download.error}</Text>}
          <Group>
            {(['pdf', 'csv'] as const).map((kind) => (
              <Button
                key={kind}
                variant="light"
                loading={download.isPrinting()}
                onClick={() => void download.print(`/reports/${report}`, { groupBy, format: kind, lang: format.lang })}
                data-testid={`report-${kind}`}
              >
                {t(`reports.${kind}`)}
              </Button>
            ))}
          </Group>
        </>
      )}
    </Stack>
  );
}
