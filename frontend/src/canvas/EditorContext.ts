import { createContext, useContext } from "react";
import type { Issue, IssueFix } from "../api/types";
import type { Catalogue } from "../graph/connection";
import { makeColours, type Colours } from "../graph/colours";

export interface EditorContextValue {
  catalogue: Catalogue;
  issuesByNode: Map<string, Issue[]>;
  issuesByEdge: Map<string, Issue[]>;
  colours: Colours;
  /** Apply an issue's one-click remedy through the editor's parameter update (autosave and validation follow). */
  applyFix: (fix: IssueFix) => void;
  /** Only looking (the caller may not change this project's workflows): nothing on the canvas edits the graph. */
  readOnly: boolean;
}

export const EditorContext = createContext<EditorContextValue>({
  catalogue: new Map(),
  issuesByNode: new Map(),
  issuesByEdge: new Map(),
  colours: makeColours([]),
  applyFix: () => {},
  readOnly: false,
});

export function useEditorContext(): EditorContextValue {
  return useContext(EditorContext);
}
