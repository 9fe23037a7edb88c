import { when } from '../format';
import { href } from '../router';
import { S } from '../strings';
import type { Merge } from '../types';
import { DataTable } from './common';

/**
 * Identity merges as a table: the two accounts, the reason, who (optional) and when, and per merge either
 * when it was undone or, for a user who may, its Undo button. The suspect file and the Identity screen show
 * merges with this one table.
 */
export function MergeTable({
  merges,
  showBy,
  onUndo,
  undoText,
}: {
  merges: Merge[];
  showBy: boolean;
  /** Absent: no button (the user may not undo). */
  onUndo?: (m: Merge) => void;
  undoText: string;
}) {
  const headers = [S.cols.from, S.cols.to, S.cols.reason, ...(showBy ? [S.cols.by] : []), S.cols.at, ''];
  return (
    <DataTable headers={headers}>
      {merges.map((m) => (
        <tr key={m.id} data-merge={m.id}>
          <td>
            <a href={href.account(m.from)}>#{m.from}</a>
          </td>
          <td>
            <a href={href.account(m.into)}>#{m.into}</a>
          </td>
          <td>{m.reason}</td>
          {showBy && <td>{m.by}</td>}
          <td>{when(m.at)}</td>
          <td>
            {m.undoneAt ? (
              S.suspect.undone(when(m.undoneAt), m.undoneBy ?? S.none)
            ) : onUndo ? (
              <button className="secondary" aria-label={S.identity.undoLabel(m.id)} onClick={() => onUndo(m)}>
                {undoText}
              </button>
            ) : null}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
