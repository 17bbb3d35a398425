/**
 * The frame of every signed-in screen: a header with the connection state, what waits to be sent and the language;
 * navigation in a drawer on a phone and a sidebar from a tablet's width up.
 */
import { Anchor, AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useAuth } from '../lib/auth';
import { useOffline } from '../lib/offline';
import { LanguageSwitch } from './LanguageSwitch';

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, signOut, can } = useAuth();
  const { online, queued } = useOffline();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const links = [
    { to: '/', label: t('nav.home'), show: true },
    { to: '/stock', label: t('nav.stock'), show: can('stock:read') },
    { to: '/donations/new', label: t('nav.receive'), show: can('donations:write') },
    { to: '/donations', label: t('nav.donations'), show: can('donations:read') },
    { to: '/counts', label: t('nav.counts'), show: can('stock:write') },
    { to: '/shipments', label: t('nav.shipments'), show: can('shipments:read') },
    { to: '/queue', label: t('nav.queue'), show: true },
  ];
  const waiting = queued.length;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
            <Anchor component={Link} to="/" underline="never" c="inherit">
              <Title order={2} size="h3">
                {t('app.name')}
              </Title>
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Badge color={online ? 'teal.9' : 'red.9'} variant="filled" role="status" data-testid="connection">
              {online ? t('queue.online') : t('queue.offline')}
            </Badge>
            {waiting > 0 && (
              <Badge component={Link} to="/queue" color="orange.9" variant="filled" data-testid="queue-badge">
                {t('queue.badge', { count: waiting })}
              </Badge>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.menu')}>
        <Stack justify="space-between" h="100%">
          <nav>
            {links
              .filter((link) => link.show)
              .map((link) => (
                <NavLink
                  key={link.to}
                  component={Link}
                  to={link.to}
                  label={link.label}
                  active={location.pathname === link.to}
                  onClick={close}
                />
              ))}
          </nav>
          <Stack gap="xs">
            <LanguageSwitch />
            <Text size="sm" c="dimmed">
              {me?.user?.name}
            </Text>
            <Button variant="default" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </Button>
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}
