/** Set by config.js: empty on the platform itself; an exported support site names its API and repository. */
type SiteConfig = { apiBase?: string; repo?: string; platformUrl?: string };

declare global {
  interface Window {
    BACKLINE_CONFIG?: SiteConfig;
  }
}

const given = window.BACKLINE_CONFIG ?? {};

export const config = {
  /** Origin of the API ('' = this origin). */
  apiBase: (given.apiBase ?? '').replace(/\/$/, ''),
  /** An exported support site shows this one repository whatever the path. */
  exportedRepo: given.repo ?? null,
  /** Where signing in and the portal live: this origin, or the platform an exported site belongs to. */
  platformUrl: (given.platformUrl ?? given.apiBase ?? '').replace(/\/$/, ''),
};

export const isExportedSite = config.exportedRepo !== null;
