import { MantineProvider } from "@mantine/core";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { ReviewButton } from "./ReviewButton";

const render = (disabled: boolean) =>
  renderToStaticMarkup(
    createElement(MantineProvider, null, createElement(MemoryRouter, null, createElement(ReviewButton, { to: "/projects/p/annotate?x=1", disabled, testId: "review" }))),
  );

describe("ReviewButton", () => {
  it("is a link while there is something to review", () => {
    expect(render(false)).toContain('href="/projects/p/annotate?x=1"');
  });
  it("has no link at all while disabled, so a click cannot navigate", () => {
    const html = render(true);
    expect(html).not.toContain("href=");
    expect(html).toMatch(/<button[^>]*disabled/);
  });
});
