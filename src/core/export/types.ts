import type { Project } from '../../model/project.js';
import { cmp } from './names.js';

/** A key of the project that the target engine cannot express faithfully (printed on stderr). */
export interface ExportWarning {
  /** The service the key belongs to; absent for top-level keys. */
  readonly service?: string;
  /** The compose / x-orch key, dotted (`x-orch.probe.log`, `ports.published`). */
  readonly key: string;
  readonly message: string;
}

/** What an export reads besides the Project: effects stay outside, so the translation is pure. */
export interface ExportInput {
  readonly project: Project;
  /** Contents of the files that secrets and configs name (absolute path → bytes); missing: not read. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Values for secrets/configs declared with `environment:`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Image to run per service, overriding the file's (deploy tags built images by content). */
  readonly images?: Readonly<Record<string, string>>;
}

export class Warnings {
  readonly list: ExportWarning[] = [];
  add(service: string | undefined, key: string, message: string): void {
    this.list.push(service === undefined ? { key, message } : { service, key, message });
  }
  /** Stable order: top-level first, then per service in name order, then by key. */
  sorted(): ExportWarning[] {
    return [...this.list].sort(
      (a, b) => cmp(a.service ?? '', b.service ?? '') || cmp(a.key, b.key) || cmp(a.message, b.message),
    );
  }
}
