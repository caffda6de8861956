/** The frame of every screen: a slim header (logo, project, project tabs, help) over the page. */
import { ActionIcon, Button, Group, Text, Tooltip, useMantineColorScheme } from "@mantine/core";
import { IconBox, IconHelp, IconMoon, IconSun } from "@tabler/icons-react";
import { useDisclosure, useHotkeys } from "@mantine/hooks";
import { Link, NavLink, Outlet, useMatch } from "react-router";
import { useProject } from "../api/hooks";
import { ShortcutsModal } from "./ShortcutsModal";

function ProjectNav({ pid }: { pid: string }) {
  const project = useProject(pid);
  const tabs = [
    { to: `/projects/${pid}`, label: "Workflow", end: false, testid: "nav-workflow" },
    { to: `/projects/${pid}/runs`, label: "Runs", end: false, testid: "nav-runs" },
    { to: `/projects/${pid}/data`, label: "Data", end: true, testid: "nav-data" },
  ];
  const onRuns = useMatch("/projects/:pid/runs/*");
  const onData = useMatch("/projects/:pid/data");
  return (
    <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
      <Text c="dimmed" size="sm">
        /
      </Text>
      <Text fw={600} size="sm" truncate maw={260} data-testid="project-name">
        {project.data?.name ?? "…"}
      </Text>
      <Group gap={2} ml="md" wrap="nowrap">
        {tabs.map((t) => {
          const active = t.label === "Runs" ? !!onRuns : t.label === "Data" ? !!onData : !onRuns && !onData;
          return (
            <NavLink key={t.to} to={t.to} end={t.end} className="vf-tab" data-active={active || undefined} data-testid={t.testid}>
              {t.label}
            </NavLink>
          );
        })}
      </Group>
    </Group>
  );
}

export function AppLayout() {
  const match = useMatch("/projects/:pid/*");
  const [helpOpen, help] = useDisclosure(false);
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  useHotkeys([["shift+?", help.toggle]]);
  return (
    <div className="vf-app">
      <header className="vf-header">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
          <Link to="/" className="vf-logo" data-testid="home-link">
            <img src="/favicon.svg" alt="" width={20} height={20} />
            <span>Visionflow</span>
          </Link>
          {match?.params.pid ? <ProjectNav pid={match.params.pid} /> : null}
        </Group>
        <Group gap={4}>
          <Tooltip label="Model store: pretrained weights">
            <Button component={Link} to="/models" variant="subtle" color="gray" size="xs" leftSection={<IconBox size={14} />} data-testid="nav-models">
              Models
            </Button>
          </Tooltip>
          <Tooltip label={colorScheme === "dark" ? "Light theme" : "Dark theme"}>
            <ActionIcon variant="subtle" color="gray" onClick={toggleColorScheme} aria-label="Toggle colour scheme">
              {colorScheme === "dark" ? <IconSun size={16} /> : <IconMoon size={16} />}
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Keyboard shortcuts (?)">
            <ActionIcon variant="subtle" color="gray" onClick={help.open} aria-label="Keyboard shortcuts">
              <IconHelp size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </header>
      <main className="vf-main">
        <Outlet />
      </main>
      <ShortcutsModal opened={helpOpen} onClose={help.close} />
    </div>
  );
}
