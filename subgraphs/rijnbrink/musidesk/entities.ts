import { EntitySchema } from 'typeorm';

/**
 * Musidesk, Rijnbrink's service for amateur music: its sheet-music collection (bladmuziek) and
 * the loans of sets to amateur-music groups. Rijnbrink's own tables, next to the kit's; no
 * foreign key points into the kit's tables, so the kit can reseed its own without them.
 */

/** The kinds of amateur-music group Musidesk lends to (and writes for). */
export const ENSEMBLE_TYPES = ['WIND_BAND', 'FANFARE', 'BRASS_BAND', 'CHOIR', 'ORCHESTRA', 'BIG_BAND'] as const;
export type EnsembleType = (typeof ENSEMBLE_TYPES)[number];

/** What Musidesk's own audit list shows (`RijnbrinkMusideskAuditEntity`): its writes, kept in the POI's audit trail. */
export const MUSIDESK_AUDIT_ENTITIES = ['SHEET_MUSIC_LOAN'] as const;

export interface SheetMusic {
  id: number;
  title: string;
  composer: string;
  arranger: string | null;
  ensembleType: EnsembleType;
  /** Voicing or scoring, e.g. SATB or "volledige bezetting". */
  instrumentation: string;
  /** Difficulty (moeilijkheidsgraad), 1 (easy) to 6. */
  grade: number;
  /** Complete sets of parts Musidesk owns. */
  sets: number;
  version: number;
}

export interface SheetMusicLoan {
  id: number;
  sheetMusicId: number;
  ensembleName: string;
  ensembleType: EnsembleType;
  place: string;
  sets: number;
  lentOn: string;
  dueOn: string;
  /** Null while the sets are out. */
  returnedOn: string | null;
  version: number;
}

const id = { type: Number, primary: true, generated: 'increment' } as const;
const version = { type: 'int', default: 1 } as const;

export const SheetMusicEntity = new EntitySchema<SheetMusic>({
  name: 'RijnbrinkSheetMusic',
  tableName: 'rijnbrink_sheet_music',
  columns: {
    id,
    title: { type: 'varchar', length: 200 },
    composer: { type: 'varchar', length: 200 },
    arranger: { type: 'varchar', length: 200, nullable: true },
    ensembleType: { type: 'varchar', length: 20, name: 'ensemble_type' },
    instrumentation: { type: 'varchar', length: 100 },
    grade: { type: 'int' },
    sets: { type: 'int' },
    version,
  },
  indices: [
    { name: 'idx_rijnbrink_sheet_music_title', columns: ['title'] },
    { name: 'idx_rijnbrink_sheet_music_ensemble', columns: ['ensembleType'] },
  ],
});

export const SheetMusicLoanEntity = new EntitySchema<SheetMusicLoan>({
  name: 'RijnbrinkSheetMusicLoan',
  tableName: 'rijnbrink_sheet_music_loan',
  columns: {
    id,
    sheetMusicId: { type: 'int', name: 'sheet_music_id', foreignKey: { target: 'RijnbrinkSheetMusic', onDelete: 'CASCADE' } },
    ensembleName: { type: 'varchar', length: 200, name: 'ensemble_name' },
    ensembleType: { type: 'varchar', length: 20, name: 'ensemble_type' },
    place: { type: 'varchar', length: 100 },
    sets: { type: 'int' },
    lentOn: { type: 'date', name: 'lent_on' },
    dueOn: { type: 'date', name: 'due_on' },
    returnedOn: { type: 'date', name: 'returned_on', nullable: true },
    version,
  },
  indices: [
    { name: 'idx_rijnbrink_loan_sheet_music', columns: ['sheetMusicId', 'returnedOn'] },
    { name: 'idx_rijnbrink_loan_lent_on', columns: ['lentOn'] },
  ],
});

/** Rijnbrink's own tables, children last (delete in reverse). */
export const MUSIDESK_ENTITIES = [SheetMusicEntity, SheetMusicLoanEntity];
