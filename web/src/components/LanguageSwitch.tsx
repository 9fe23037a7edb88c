import { LANGUAGE_NAMES, S } from '../strings';
import { LANGUAGES, type Language } from '../types';

/** The language select of the header: each language by its own name. */
export function LanguageSwitch({
  value,
  onChange,
  error,
}: {
  value: Language;
  onChange: (l: Language) => void;
  error: string | null;
}) {
  return (
    <div className="language">
      <label htmlFor="language">{S.language.label}</label>
      <select
        id="language"
        data-testid="language"
        value={value}
        onChange={(e) => onChange(e.target.value as Language)}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
      {error && (
        <p className="error" role="alert">
          {S.language.notSaved(error)}
        </p>
      )}
    </div>
  );
}
