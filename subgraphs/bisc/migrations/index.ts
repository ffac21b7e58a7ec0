// BiSC's own migrations, oldest first; they run after the kit's (poi-kit/migrations).
import { InterlibraryLoan1796200000000 } from './1796200000000-InterlibraryLoan';

export const BISC_MIGRATIONS = [InterlibraryLoan1796200000000];
