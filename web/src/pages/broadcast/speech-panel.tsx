import { useEffect, useState } from 'preact/hooks';
import {
  ANNOUNCER_FIELDS,
  type Announcement,
  type AnnouncerLanguage,
  type PreviewResponse,
  type RenderResponse,
} from '../../../../protocol/api/announcer.ts';
import { api } from '../../api/api-client.ts';
import type { Product } from '../../api/types.ts';
import { money } from '../../app/format.ts';
import { toast } from '../../app/toasts.ts';
import { audioBlobUrl } from './audio-blob.ts';
import { describeBroadcastError, errorCode } from './broadcast-errors.ts';
import { ProductPicker } from './product-picker.tsx';
import { FIELD_LABELS, type FieldDrafts, isField, toFieldValues } from './speech-fields.ts';

export const LANGUAGE_LABELS: Record<AnnouncerLanguage, string> = { zh: '中文 Chinese', en: 'English' };

/**
 * Turns a template (or free text) into speech: field values, a catalog product filling {product}, {price} and
 * {promotion}, a **preview** that plays before anything is stored (POST /api/announcer/preview), and "save as asset"
 * (POST /api/announcer/render) into the content library.
 */
export function SpeechPanel({
  source,
  languages,
  fields,
  defaults,
  storeId,
  onRendered,
}: {
  /** A saved template, or the texts being edited (spoken as a raw template in the chosen language). */
  source: { templateId: string } | { texts: Partial<Record<AnnouncerLanguage, string>> };
  languages: AnnouncerLanguage[];
  fields: string[];
  defaults: FieldDrafts;
  /** Where the asset is for (null: HQ); whose prices the product reads. */
  storeId: string | null;
  onRendered?: (announcement: Announcement) => void;
}) {
  const [language, setLanguage] = useState<AnnouncerLanguage>(languages[0] ?? 'zh');
  const [drafts, setDrafts] = useState<FieldDrafts>({});
  const [product, setProduct] = useState<Product | null>(null);
  const [chime, setChime] = useState(true);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState<'preview' | 'render' | null>(null);
  const [preview, setPreview] = useState<(PreviewResponse & { url: string }) | null>(null);
  const [problem, setProblem] = useState<{ code?: string; text: string } | null>(null);

  useEffect(() => {
    if (!languages.includes(language)) setLanguage(languages[0] ?? 'zh');
  }, [languages.join()]);
  useEffect(() => () => preview && URL.revokeObjectURL(preview.url), [preview]);

  const request = () => {
    const parsed = toFieldValues(drafts);
    if ('invalid' in parsed) {
      setProblem({ text: `${FIELD_LABELS[parsed.invalid]}: not a valid value.` });
      return null;
    }
    const what = 'templateId' in source ? { templateId: source.templateId } : { text: source.texts[language] ?? '' };
    return {
      ...what,
      language,
      fields: parsed.values,
      productId: product?.sku,
      storeId,
      chime,
    };
  };

  const runPreview = async () => {
    const body = request();
    if (!body) return;
    setProblem(null);
    setBusy('preview');
    try {
      const answer = await api.post<PreviewResponse>('/api/announcer/preview', body);
      setPreview({ ...answer, url: audioBlobUrl(answer.audio) });
    } catch (err) {
      setProblem({ code: errorCode(err), text: describeBroadcastError(err) });
    } finally {
      setBusy(null);
    }
  };

  const render = async () => {
    const body = request();
    if (!body) return;
    setProblem(null);
    setBusy('render');
    try {
      const answer = await api.post<RenderResponse>('/api/announcer/render', {
        ...body,
        title: title.trim() || undefined,
      });
      toast(
        'success',
        `“${answer.announcement.title}” saved to the library (${(answer.elapsedMs / 1000).toFixed(1)} s).`,
      );
      onRendered?.(answer.announcement);
    } catch (err) {
      setProblem({ code: errorCode(err), text: describeBroadcastError(err) });
    } finally {
      setBusy(null);
    }
  };

  const fromCatalog = (field: string): string | undefined => {
    if (!product) return undefined;
    if (field === 'product') return language === 'zh' ? product.name.zh : product.name.en || product.name.zh;
    if (field === 'price') return `${money(product.priceFen)} (store price if set)`;
    if (field === 'promotion') return 'the promotion running there now';
    return undefined;
  };

  return (
    <div class="speech-panel" data-testid="speech-panel">
      <div class="form-grid">
        <label class="field">
          <span>Language</span>
          <select
            value={language}
            onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as AnnouncerLanguage)}
            data-testid="speech-language"
          >
            {languages.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_LABELS[l]}
              </option>
            ))}
          </select>
        </label>
        {fields.some((f) => f === 'product' || f === 'price' || f === 'promotion') ? (
          <div class="field">
            <span>Product from the catalog</span>
            <ProductPicker
              value={product?.sku ?? ''}
              onPick={(p) => setProduct(p)}
              testId="speech-product"
              placeholder="Fills product, price, promotion"
            />
          </div>
        ) : null}
        {fields.map((f) =>
          isField(f) ? (
            <label class="field" key={f}>
              <span>
                {FIELD_LABELS[f]} <code class="muted">{`{${f}}`}</code>
              </span>
              <input
                value={drafts[f] ?? ''}
                placeholder={fromCatalog(f) ?? defaults[f] ?? (ANNOUNCER_FIELDS[f] === 'time' ? '21:00' : '')}
                inputMode={ANNOUNCER_FIELDS[f] === 'text' ? undefined : 'decimal'}
                onInput={(e) => setDrafts({ ...drafts, [f]: (e.currentTarget as HTMLInputElement).value })}
                data-testid={`speech-field-${f}`}
              />
            </label>
          ) : (
            <div class="field" key={f}>
              <span class="text-bad">
                Unknown field <code>{`{${f}}`}</code>
              </span>
            </div>
          ),
        )}
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={chime}
          onChange={(e) => setChime((e.currentTarget as HTMLInputElement).checked)}
        />
        Chime before the words
      </label>
      <div class="row-actions">
        <button type="button" class="btn" disabled={busy !== null} onClick={runPreview} data-testid="speech-preview">
          {busy === 'preview' ? 'Speaking…' : '▶ Preview'}
        </button>
        <input
          class="grow-input"
          value={title}
          placeholder="Title in the library (default: the words)"
          onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)}
          data-testid="speech-title"
        />
        <button
          type="button"
          class="btn btn-primary"
          disabled={busy !== null}
          onClick={render}
          data-testid="speech-render"
        >
          {busy === 'render' ? 'Saving…' : 'Save as asset'}
        </button>
      </div>
      {problem ? (
        <div class="form-error" role="alert" data-testid="speech-error" data-code={problem.code}>
          {problem.text}
        </div>
      ) : null}
      {preview ? (
        <div class="speech-preview" data-testid="speech-preview-result">
          <p class="spoken" lang={preview.language === 'zh' ? 'zh-CN' : 'en'} data-testid="speech-spoken">
            {preview.text}
          </p>
          {/* biome-ignore lint/a11y/useMediaCaption: the words are shown right above. */}
          <audio src={preview.url} controls autoPlay data-testid="speech-audio" data-duration-ms={preview.durationMs} />
          <span class="muted small">
            {(preview.durationMs / 1000).toFixed(1)} s · spoken in {(preview.elapsedMs / 1000).toFixed(2)} s
          </span>
        </div>
      ) : null}
    </div>
  );
}
