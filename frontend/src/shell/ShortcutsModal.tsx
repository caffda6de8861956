import { Kbd, Modal, Table } from "@mantine/core";

const SHORTCUTS: [string[], string][] = [
  [["/"], "Search the node palette"],
  [["Delete"], "Remove the selected nodes or connections"],
  [["Ctrl", "S"], "Save the workflow now"],
  [["Ctrl", "Enter"], "Run training"],
  [["F"], "Fit the workflow in view"],
  [["Esc"], "Clear the selection / close a dialog"],
  [["N"], "New project (on the projects screen)"],
  [["?"], "Show this list"],
];

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="md">
      <Table verticalSpacing={6}>
        <Table.Tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <Table.Tr key={what}>
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
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
