import { describe, expectTypeOf, it } from "vitest";
import type { SuccessBody } from "./described";
import type { components } from "./schema.gen";
import type { DatasetStats, NodeDescriptor, PredictionPage, Template } from "./types";

type Schemas = components["schemas"];

describe("API types (checked by the type check: tsc -b)", () => {
  it("reads a route's success body by path", () => {
    expectTypeOf<SuccessBody<"/api/runs/{run_id}", "get">>().toEqualTypeOf<Schemas["RunRead"]>();
    expectTypeOf<SuccessBody<"/api/projects", "post">>().toEqualTypeOf<Schemas["ProjectRead"]>();
  });

  it("names what the routes answer, from the server's schema rather than by hand", () => {
    expectTypeOf<SuccessBody<"/api/nodes", "get">>().toEqualTypeOf<NodeDescriptor[]>();
    expectTypeOf<SuccessBody<"/api/projects/{project_id}/stats", "get">>().toEqualTypeOf<DatasetStats>();
    expectTypeOf<SuccessBody<"/api/runs/{run_id}/predictions", "get">>().toEqualTypeOf<PredictionPage>();
    expectTypeOf<SuccessBody<"/api/workflows/{workflow_id}/runs", "post">>().toEqualTypeOf<Schemas["RunRead"]>();
    expectTypeOf<Template["graph"]["nodes"][number]["params"]>().toEqualTypeOf<{ [key: string]: unknown }>();
  });
});
