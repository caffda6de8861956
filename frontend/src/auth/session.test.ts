import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError } from "../api/client";
import { csrfHeaders, getCsrfToken, onUnauthorized, setCsrfToken } from "./session";

type Sent = { url: string; init: RequestInit };

function fakeServer(status = 200, body: unknown = {}): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return sent;
}

const header = (s: Sent, name: string) => (s.init.headers as Record<string, string>)[name];

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("the CSRF token on writes", () => {
  it("is sent on every write and never on a read", async () => {
    setCsrfToken("t0k");
    const sent = fakeServer();
    await api.get("/api/projects");
    await api.post("/api/projects", { name: "a" });
    await api.put("/api/workflows/1", {});
    await api.patch("/api/classes/1", {});
    await api.del("/api/classes/1");
    expect(sent.map((s) => header(s, "X-CSRF-Token"))).toEqual([undefined, "t0k", "t0k", "t0k", "t0k"]);
  });

  it("is left out without a session (accounts off, or a token login)", () => {
    expect(csrfHeaders("POST")).toEqual({});
    setCsrfToken("x");
    expect(csrfHeaders("delete")).toEqual({ "X-CSRF-Token": "x" });
    expect(csrfHeaders("HEAD")).toEqual({});
  });
});

describe("a 401", () => {
  it("from any route sends the person back to the login page and forgets the token", async () => {
    setCsrfToken("t0k");
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    fakeServer(401, { status_code: 401, detail: "Log in first: no session." });
    await expect(api.get("/api/projects")).rejects.toBeInstanceOf(ApiError);
    stop();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(getCsrfToken()).toBeNull();
  });

  it("from the login itself is a wrong password, shown on the form, not a logout", async () => {
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    fakeServer(401, { status_code: 401, detail: "Wrong user name or password." });
    await expect(api.post("/api/auth/login", { name: "a", password: "b" })).rejects.toThrow("Wrong user name or password.");
    stop();
    expect(listener).not.toHaveBeenCalled();
  });
});
