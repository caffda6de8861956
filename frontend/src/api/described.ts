/** Picking a route's answer out of the generated API types by path and method (see types.ts). */
import type { paths } from "./schema.gen";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** The JSON body of a route's success answer (200, 201 or 202), by path and method. */
export type SuccessBody<Path extends keyof paths, M extends Method> = paths[Path][M] extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer B } } }
    ? B
    : R extends { 201: { content: { "application/json": infer B } } }
      ? B
      : R extends { 202: { content: { "application/json": infer B } } }
        ? B
        : never
  : never;
