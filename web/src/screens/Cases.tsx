import { DataTable } from '../components/common';
import { href } from '../router';
import { S } from '../strings';
import type { CaseEntry } from '../types';

/** The cases the user may enter (from the session): nothing else of the installation is shown here. */
export function Cases({ cases }: { cases: CaseEntry[] }) {
  return (
    <>
      <h2>{S.cases.title}</h2>
      {cases.length === 0 ? (
        <p>{S.cases.none}</p>
      ) : (
        <DataTable headers={[S.admin.name, S.cases.role]}>
          {cases.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={href.inCase(c.id)}>{c.name}</a>
              </td>
              <td>{c.role}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
