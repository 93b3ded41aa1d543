/** Where `npm start` leaves its URLs for `npm run send-sample` (git-ignored). */
export const LOCAL_STATE_FILE = new URL('../../.local/state.json', import.meta.url);

export interface LocalState {
  url: string;
  configFile: string;
  secretsFile: string;
  jiraSandbox?: string;
  backtraceSandbox?: string;
}
