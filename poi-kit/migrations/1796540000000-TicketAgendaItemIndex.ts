import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndex } from '../../shared/portable-migrations';

/** Tickets are filtered by their work-agenda item (`TicketFilter.agendaItemId`, `WorkAgendaItem.tickets`). Runs on MySQL and SQLite. */
export class TicketAgendaItemIndex1796540000000 implements MigrationInterface {
  name = 'TicketAgendaItemIndex1796540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX \`idx_ticket_agenda_item\` ON \`ticket\` (\`agenda_item_id\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIndex(queryRunner, 'ticket', 'idx_ticket_agenda_item');
  }
}
