/** The frame of every screen: a slim header (logo, project, project tabs, your role and the members, help, the user
 * menu) over the page. */
import { ActionIcon, Badge, Button, Group, Text, Tooltip, useMantineColorScheme } from "@mantine/core";
import { IconBox, IconHelp, IconMoon, IconSun, IconUsers } from "@tabler/icons-react";
import { useDisclosure, useHotkeys } from "@mantine/hooks";
import { Link, NavLink, Outlet, useMatch } from "react-router";
import { useProject } from "../api/hooks";
import { UserMenu } from "../auth/UserMenu";
import { useAuth } from "../auth/useAuth";
import { MembersDialog } from "../projects/MembersDialog";
import { ProjectMenu } from "../projects/ProjectMenu";
import { NotifyButton, RunEndNotifications } from "../notifications/RunEndNotifications";
import { useProjectRole } from "../projects/useProjectRole";
import { ShortcutsModal } from "./ShortcutsModal";

/** With accounts on: the caller's role in the project (with what it cannot do) and the members dialog. */
function ProjectPeople({ pid }: { pid: string }) {
  const { role, whyNot } = useProjectRole(pid);
  const [open, members] = useDisclosure(false);
  const limit = whyNot("run");
  return (
    <Group gap={4} wrap="nowrap" ml="sm">
      {role && role !== "owner" ? (
        <Tooltip label={limit} multiline w={280}>
          <Badge variant="light" color={role === "viewer" ? "gray" : "blue"} data-testid="my-role">
            {role}
          </Badge>
        </Tooltip>
      ) : null}
      <Tooltip label="Project members">
        <ActionIcon variant="subtle" color="gray" onClick={members.open} aria-label="Project members" data-testid="members-button">
          <IconUsers size={16} />
        </ActionIcon>
      </Tooltip>
      <MembersDialog pid={pid} opened={open} onClose={members.close} />
    </Group>
  );
}

function ProjectNav({ pid }: { pid: string }) {
  const project = useProject(pid);
  const { authOn } = useAuth();
  const { canManage } = useProjectRole(pid);
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
      {project.data && canManage ? <ProjectMenu project={project.data} /> : null}
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
      {authOn ? <ProjectPeople pid={pid} /> : null}
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
          <NotifyButton />
          <UserMenu />
        </Group>
      </header>
      <main className="vf-main">
        <Outlet />
      </main>
      <ShortcutsModal opened={helpOpen} onClose={help.close} />
      <RunEndNotifications />
    </div>
  );
}
