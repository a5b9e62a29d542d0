import { useState } from 'preact/hooks';
import { ANNOUNCER_FIELDS, type AnnouncerTemplate, type TemplateBody } from '../../../../protocol/api/announcer.ts';
import { ApiError, api, enc } from '../../api/api-client.ts';
import type { Me, Store } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';
import { describeBroadcastError } from './broadcast-errors.ts';
import { newId } from './new-id.ts';
import { FIELD_LABELS, type FieldDrafts, fieldsOf, isField, toDrafts, toFieldValues } from './speech-fields.ts';

export interface TemplateDraft {
  id: string | null;
  name: string;
  zh: string;
  en: string;
  storeId: string | null;
  defaults: FieldDrafts;
}

export function draftOf(t: AnnouncerTemplate | null, storeId: string | null): TemplateDraft {
  return t
    ? {
        id: t.id,
        name: t.name,
        zh: t.text.zh ?? '',
        en: t.text.en ?? '',
        storeId: t.storeId,
        defaults: toDrafts(t.defaults),
      }
    : { id: null, name: '', zh: '', en: '', storeId, defaults: {} };
}

/** Where in the text the fleet found a problem: `details: { language, field, position }` of TEMPLATE_FIELD_UNKNOWN. */
function problemAt(err: unknown): { language?: string; position?: number } {
  return err instanceof ApiError && err.details && typeof err.details === 'object'
    ? (err.details as { language?: string; position?: number })
    : {};
}

/**
 * A template's name, its Chinese and English texts with field buttons, its default values and owner; saved with
 * PUT /api/announcer/templates/:id (TEMPLATE_FIELD_UNKNOWN points at the language and character).
 */
export function TemplateEditor({
  me,
  stores,
  draft,
  onChange,
  onSaved,
  readOnly,
}: {
  me: Me;
  stores: Store[];
  draft: TemplateDraft;
  onChange: (d: TemplateDraft) => void;
  onSaved: (t: AnnouncerTemplate) => void;
  readOnly: boolean;
}) {
  const [focus, setFocus] = useState<'zh' | 'en'>('zh');
  const [error, setError] = useState<{ text: string; language?: string; position?: number } | null>(null);
  const [saving, setSaving] = useState(false);
  const fields = fieldsOf(draft.zh, draft.en);

  const insert = (field: string) => onChange({ ...draft, [focus]: `${draft[focus]}{${field}}` });

  const save = async () => {
    const defaults = toFieldValues(draft.defaults);
    if ('invalid' in defaults) {
      setError({ text: `Default ${FIELD_LABELS[defaults.invalid]}: not a valid value.` });
      return;
    }
    const body: TemplateBody = {
      name: draft.name.trim(),
      text: {
        ...(draft.zh.trim() ? { zh: draft.zh.trim() } : {}),
        ...(draft.en.trim() ? { en: draft.en.trim() } : {}),
      } as TemplateBody['text'],
      defaults: defaults.values,
      storeId: draft.storeId,
    };
    setSaving(true);
    setError(null);
    try {
      const id = draft.id ?? newId(draft.name, 'template');
      const saved = await api.put<AnnouncerTemplate>(`/api/announcer/templates/${enc(id)}`, body);
      toast('success', `Template “${saved.name}” saved.`);
      onSaved(saved);
    } catch (err) {
      setError({ text: describeBroadcastError(err), ...problemAt(err) });
    } finally {
      setSaving(false);
    }
  };

  const textArea = (language: 'zh' | 'en', label: string) => (
    <label class="field">
      <span>{label}</span>
      <textarea
        rows={3}
        value={draft[language]}
        readOnly={readOnly}
        lang={language === 'zh' ? 'zh-CN' : 'en'}
        onFocus={() => setFocus(language)}
        onInput={(e) => onChange({ ...draft, [language]: (e.currentTarget as HTMLTextAreaElement).value })}
        data-testid={`template-text-${language}`}
        aria-invalid={error?.language === language}
      />
    </label>
  );

  return (
    <div class="template-editor" data-testid="template-editor">
      <div class="form-grid">
        <label class="field">
          <span>Name</span>
          <input
            value={draft.name}
            readOnly={readOnly}
            onInput={(e) => onChange({ ...draft, name: (e.currentTarget as HTMLInputElement).value })}
            data-testid="template-name"
          />
        </label>
        <label class="field">
          <span>For</span>
          <select
            value={draft.storeId ?? ''}
            disabled={readOnly || draft.id !== null}
            onChange={(e) => onChange({ ...draft, storeId: (e.currentTarget as HTMLSelectElement).value || null })}
            data-testid="template-store"
          >
            {me.storeIds === null || draft.storeId === null ? <option value="">Every store (HQ)</option> : null}
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {textArea('zh', '中文 Chinese text')}
      {textArea('en', 'English text')}
      {readOnly ? null : (
        <div class="field-buttons">
          <span class="muted small">Insert into the {focus === 'zh' ? 'Chinese' : 'English'} text:</span>
          {Object.keys(ANNOUNCER_FIELDS).map((f) => (
            <button
              type="button"
              key={f}
              class="btn btn-small btn-ghost"
              onClick={() => insert(f)}
              data-testid={`insert-${f}`}
            >
              {`{${f}}`}
            </button>
          ))}
        </div>
      )}
      {fields.filter(isField).length ? (
        <div class="form-grid">
          {fields.filter(isField).map((f) => (
            <label class="field" key={f}>
              <span>Default {FIELD_LABELS[f].toLowerCase()}</span>
              <input
                value={draft.defaults[f] ?? ''}
                readOnly={readOnly}
                onInput={(e) =>
                  onChange({
                    ...draft,
                    defaults: { ...draft.defaults, [f]: (e.currentTarget as HTMLInputElement).value },
                  })
                }
                data-testid={`template-default-${f}`}
              />
            </label>
          ))}
        </div>
      ) : null}
      {error ? (
        <div class="form-error" role="alert" data-testid="template-error">
          {error.text}
          {error.position !== undefined
            ? ` At character ${error.position + 1} of the ${error.language === 'en' ? 'English' : 'Chinese'} text.`
            : ''}
        </div>
      ) : null}
      {readOnly ? null : (
        <div class="row-actions">
          <button
            type="button"
            class="btn btn-primary"
            disabled={saving || !draft.name.trim() || !(draft.zh.trim() || draft.en.trim())}
            onClick={save}
            data-testid="template-save"
          >
            {saving ? 'Saving…' : 'Save template'}
          </button>
        </div>
      )}
    </div>
  );
}
