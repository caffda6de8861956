import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "indigo",
  defaultRadius: "sm",
  fontFamily:
    "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  fontFamilyMonospace: "ui-monospace, 'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
  headings: { fontWeight: "600" },
  components: {
    Button: { defaultProps: { size: "xs" } },
    Tooltip: { defaultProps: { withArrow: true, openDelay: 300 } },
  },
});
