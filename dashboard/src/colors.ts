// One colour per POI, status and priority, the same in every chart and on the board.

const POI_COLORS: Record<string, string> = {
  BISC: '#0b7285',
  CUBISS: '#c2255c',
  PROBIBLIO: '#e8590c',
  RIJNBRINK: '#5f3dc4',
};
/** For POIs that join later. */
const SPARE = ['#2f9e44', '#1971c2', '#a61e4d', '#5c940d', '#862e9c', '#d9480f'];

export function poiColor(code: string, index: number): string {
  return POI_COLORS[code] ?? SPARE[index % SPARE.length];
}

export const TOTAL_COLOR = '#212529';

export const TICKET_STATUS_COLORS: Record<string, string> = {
  OPEN: '#1c7ed6',
  IN_PROGRESS: '#f59f00',
  WAITING: '#ae3ec9',
  RESOLVED: '#37b24d',
  CLOSED: '#adb5bd',
};

export const PRIORITY_COLORS: Record<string, string> = {
  P1: '#e03131',
  P2: '#f76707',
  P3: '#1c7ed6',
  P4: '#adb5bd',
};

export const SETTING_COLORS: Record<string, string> = {
  LOAN_PERIOD: '#1c7ed6',
  RESERVATION_FEE: '#f59f00',
  MEMBERSHIP_FEE_TYPES: '#37b24d',
  FINE_POLICY: '#ae3ec9',
};

export const FALLBACK_COLOR = '#868e96';
