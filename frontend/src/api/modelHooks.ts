/** The model store: pretrained weights an admin uploads (checked by the server in a worker, never unpickled by the
 * server itself), which model nodes then offer as `pretrained`. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { keys } from "./hooks";
import type { OfficialModelNames, StoredModel } from "./types";

export const modelKeys = { list: ["models"] as const, official: ["models", "official"] as const };

export function useStoredModels() {
  return useQuery({ queryKey: modelKeys.list, queryFn: () => api.get<StoredModel[]>("/api/models") });
}

/** The node catalogue lists the store's entries in each model node's `pretrained` choices: refresh it too. */
function useRefreshStore() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: modelKeys.list });
    void qc.invalidateQueries({ queryKey: keys.nodes });
  };
}

export function useUploadModel() {
  const refresh = useRefreshStore();
  return useMutation({
    mutationFn: ({ file, architecture }: { file: File; architecture: string | null }) => {
      const form = new FormData();
      form.append("file", file, file.name);
      if (architecture) form.append("architecture", architecture);
      return request<StoredModel>("POST", "/api/models", form);
    },
    onSuccess: refresh,
  });
}

/** Official weight file names the server can download (one per architecture a model node trains). */
export function useOfficialModelNames() {
  return useQuery({ queryKey: modelKeys.official, queryFn: () => api.get<OfficialModelNames>("/api/models/official"), staleTime: Infinity });
}

/** Download official weights by name; the server verifies the release's sha256 and checks them like an upload.
 * Without internet it answers 503 with a sentence saying so. */
export function useDownloadOfficialModel() {
  const refresh = useRefreshStore();
  return useMutation({
    mutationFn: (name: string) => request<StoredModel>("POST", "/api/models/download", { name }),
    onSuccess: refresh,
  });
}

export function useDeleteModel() {
  const refresh = useRefreshStore();
  return useMutation({
    mutationFn: (name: string) => api.del<unknown>(`/api/models/${encodeURIComponent(name)}`),
    onSuccess: refresh,
  });
}
