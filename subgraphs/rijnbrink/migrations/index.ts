// Rijnbrink's own migrations, oldest first; they run after the kit's (poi-kit/migrations).
import { Musidesk1796300000000 } from './1796300000000-Musidesk';

export const RIJNBRINK_MIGRATIONS = [Musidesk1796300000000];
