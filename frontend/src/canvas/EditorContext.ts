import { createContext, useContext } from "react";
import type { Issue } from "../api/types";
import type { Catalogue } from "../graph/connection";
import { makeColours, type Colours } from "../graph/colours";

export interface EditorContextValue {
  catalogue: Catalogue;
  issuesByNode: Map<string, Issue[]>;
  issuesByEdge: Map<string, Issue[]>;
  colours: Colours;
}

export const EditorContext = createContext<EditorContextValue>({
  catalogue: new Map(),
  issuesByNode: new Map(),
  issuesByEdge: new Map(),
  colours: makeColours([]),
});

export function useEditorContext(): EditorContextValue {
  return useContext(EditorContext);
}
