import type { EntityManager } from 'typeorm';
import { deleteAllRows, insertInChunks } from '../../../shared/db';
import { addDays } from '../../../shared/dates';
import { SeededRandom } from '../../../shared/seed-random';
import type { SubgraphStartOptions } from '../../../shared/subgraph';
import { EnsembleType, SheetMusic, SheetMusicEntity, SheetMusicLoan, SheetMusicLoanEntity } from './entities';

/**
 * Demo data, generated: which titles Musidesk holds, how many sets, and who borrowed them are made
 * up here, not taken from Rijnbrink's catalogue. The works are well-known public-domain pieces; the
 * places are towns in Gelderland and Overijssel, the provinces Rijnbrink serves.
 */
const WORKS: { title: string; composer: string }[] = [
  { title: 'Ave verum corpus', composer: 'W.A. Mozart' },
  { title: 'Hallelujah (Messiah)', composer: 'G.F. Händel' },
  { title: 'Jesus bleibet meine Freude', composer: 'J.S. Bach' },
  { title: 'Pomp and Circumstance March No. 1', composer: 'E. Elgar' },
  { title: 'The Stars and Stripes Forever', composer: 'J.P. Sousa' },
  { title: 'Morgenstemning (Peer Gynt)', composer: 'E. Grieg' },
  { title: 'Va, pensiero (Nabucco)', composer: 'G. Verdi' },
  { title: 'Slavische dans nr. 8', composer: 'A. Dvořák' },
  { title: 'Radetzky-Marsch', composer: 'J. Strauss (vader)' },
  { title: 'Canon in D', composer: 'J. Pachelbel' },
  { title: 'Largo (Xerxes)', composer: 'G.F. Händel' },
  { title: 'Wilhelmus van Nassouwe', composer: 'traditioneel' },
  { title: 'Ode an die Freude', composer: 'L. van Beethoven' },
  { title: 'Air (Orchestersuite nr. 3)', composer: 'J.S. Bach' },
  { title: 'Maple Leaf Rag', composer: 'S. Joplin' },
  { title: 'Cantique de Jean Racine', composer: 'G. Fauré' },
];
const ARRANGERS = ['J. de Vries', 'M. Jansen', 'A. Bakker', 'P. Visser', 'L. Smit'];
const SCORING: Record<EnsembleType, string[]> = {
  WIND_BAND: ['volledige bezetting', 'kleine bezetting'],
  FANFARE: ['volledige bezetting', 'kleine bezetting'],
  BRASS_BAND: ['volledige bezetting'],
  CHOIR: ['SATB', 'SSA', 'TTBB', 'SAB'],
  ORCHESTRA: ['strijkorkest', 'symfonieorkest'],
  BIG_BAND: ['volledige bezetting'],
};
const GROUP_WORDS: Record<EnsembleType, string> = {
  WIND_BAND: 'Harmonie',
  FANFARE: 'Fanfare',
  BRASS_BAND: 'Brassband',
  CHOIR: 'Koor',
  ORCHESTRA: 'Orkest',
  BIG_BAND: 'Bigband',
};
const GROUP_NAMES = ['Crescendo', 'Con Brio', 'Vivace', 'Euphonia', 'Excelsior', 'Cantabile', 'Allegro', 'Harmonia'];
const PLACES = [
  'Apeldoorn',
  'Arnhem',
  'Nijmegen',
  'Zutphen',
  'Doetinchem',
  'Ede',
  'Tiel',
  'Harderwijk',
  'Deventer',
  'Zwolle',
  'Enschede',
  'Hengelo',
  'Almelo',
  'Kampen',
];

/** Musidesk's demo collection and loans; the same scale and day always give the same rows. */
export function generateMusidesk(options: { scale: number; referenceDate: string }) {
  const random = new SeededRandom(`RIJNBRINK:musidesk:${options.scale}`);
  const types = Object.keys(SCORING) as EnsembleType[];
  const sheetMusic: SheetMusic[] = [];
  for (let i = 0; i < 40 * options.scale; i++) {
    const work = WORKS[i % WORKS.length];
    const ensembleType = types[(i + Math.floor(i / WORKS.length)) % types.length];
    sheetMusic.push({
      id: i + 1,
      title: work.title,
      composer: work.composer,
      arranger: work.composer === 'traditioneel' || random.next() < 0.7 ? random.pick(ARRANGERS) : null,
      ensembleType,
      instrumentation: random.pick(SCORING[ensembleType]),
      grade: random.int(1, 6),
      sets: random.int(1, 4),
      version: 1,
    });
  }
  const loans: SheetMusicLoan[] = [];
  const setsOut = new Map<number, number>();
  for (let i = 0; i < 30 * options.scale; i++) {
    const music = random.pick(sheetMusic);
    const lentOn = addDays(options.referenceDate, -random.int(1, 400));
    const dueOn = addDays(lentOn, random.pick([56, 91, 182]));
    const returned = dueOn < options.referenceDate ? random.next() < 0.85 : random.next() < 0.2;
    const out = setsOut.get(music.id) ?? 0;
    // A title never has more sets out than Musidesk owns.
    if (!returned && out >= music.sets) continue;
    if (!returned) setsOut.set(music.id, out + 1);
    const returnedOn = returned ? addDays(lentOn, random.int(14, 200)) : null;
    loans.push({
      id: 0,
      sheetMusicId: music.id,
      ensembleName: `${GROUP_WORDS[music.ensembleType]} ${random.pick(GROUP_NAMES)}`,
      ensembleType: music.ensembleType,
      place: random.pick(PLACES),
      sets: 1,
      lentOn,
      dueOn,
      returnedOn: returnedOn && returnedOn > options.referenceDate ? options.referenceDate : returnedOn,
      version: 1,
    });
  }
  // Loan ids follow the order in which the sets went out.
  loans.sort((a, b) => (a.lentOn < b.lentOn ? -1 : a.lentOn > b.lentOn ? 1 : a.sheetMusicId - b.sheetMusicId));
  loans.forEach((loan, index) => (loan.id = index + 1));
  return { sheetMusic, loans };
}

/** Fills Musidesk's tables after the kit's seed (emptying them first on a reset), in one transaction. */
export async function seedMusidesk(manager: EntityManager, options: SubgraphStartOptions['seed']): Promise<void> {
  if (options.reset) await deleteAllRows(manager, [SheetMusicLoanEntity, SheetMusicEntity]);
  const { sheetMusic, loans } = generateMusidesk(options);
  await insertInChunks(manager, SheetMusicEntity, sheetMusic);
  await insertInChunks(manager, SheetMusicLoanEntity, loans);
}
