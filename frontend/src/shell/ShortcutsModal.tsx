import { Kbd, Modal, Table, Text } from "@mantine/core";

type Shortcut = [string[], string];

const GROUPS: [string, Shortcut[]][] = [
  [
    "Workflow editor",
    [
      [["/"], "Search the node palette"],
      [["Delete"], "Remove the selected nodes or connections"],
      [["Ctrl", "S"], "Save the workflow now"],
      [["Ctrl", "Enter"], "Run training"],
      [["F"], "Fit the workflow in view"],
      [["Esc"], "Clear the selection / close a dialog"],
    ],
  ],
  [
    "Data: grid",
    [
      [["Ctrl", "A"], "Select (or clear) every image on the page"],
      [["1–9"], "Give the selected images that class (each class shows its key)"],
      [["Delete"], "Delete the selected images (asks first)"],
      [["Enter"], "Open the focused image in the annotator"],
      [["Esc"], "Clear the selection"],
    ],
  ],
  [
    "Data: annotator",
    [
      [["1–9"], "Label the image with that class, then go to the next unlabelled one"],
      [["↑ ↓"], "Highlight a class"],
      [["A"], "Label with the highlighted class"],
      [["← →"], "Previous / next image"],
      [["Backspace"], "Clear the label"],
      [["Ctrl", "Z"], "Undo the last label"],
      [["Esc"], "Back to the grid"],
    ],
  ],
  [
    "Everywhere",
    [
      [["N"], "New project (on the projects screen)"],
      [["?"], "Show this list"],
    ],
  ],
];

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="lg">
      <Table verticalSpacing={4}>
        <Table.Tbody>
          {GROUPS.map(([group, shortcuts]) => [
            <Table.Tr key={group}>
              <Table.Td colSpan={2} pt="sm">
                <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                  {group}
                </Text>
              </Table.Td>
            </Table.Tr>,
            ...shortcuts.map(([keys, what]) => (
              <Table.Tr key={`${group}-${what}`}>
                <Table.Td w={140}>
                  {keys.map((k, i) => (
                    <span key={k}>
                      {i ? " + " : ""}
                      <Kbd size="xs">{k}</Kbd>
                    </span>
                  ))}
                </Table.Td>
                <Table.Td>{what}</Table.Td>
              </Table.Tr>
            )),
          ])}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
