import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Service levels (DVO): an agreement's response and resolution times per request priority
 * (`contract_service_level`), and per request its type, the vendor's case number and its first
 * response. Declared with TypeORM's portable table API, so it runs on MySQL/MariaDB and SQLite
 * alike. Existing requests become INCIDENTs without a first response; existing agreements get no
 * service levels (their requests have no due moments until terms are agreed).
 */
export class ServiceLevels1796510000000 implements MigrationInterface {
  name = 'ServiceLevels1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'contract_service_level',
        columns: [
          // 'integer', as TypeORM spells int on SQLite (and AUTOINCREMENT needs it); MySQL reads it as int.
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'contract_id', type: 'integer' },
          { name: 'priority', type: 'varchar', length: '2' },
          { name: 'response_hours', type: 'integer' },
          { name: 'resolution_hours', type: 'integer' },
        ],
        indices: [new TableIndex({ name: 'uq_contract_service_level', columnNames: ['contract_id', 'priority'], isUnique: true })],
        // The name TypeORM gives the entity's foreign key, so the schema it expects is the one built here.
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_7f883fc87020e62cdc9296481ea',
            columnNames: ['contract_id'],
            referencedTableName: 'contract',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.addColumns('ticket', [
      new TableColumn({ name: 'type', type: 'varchar', length: '20', default: "'INCIDENT'" }),
      new TableColumn({ name: 'vendor_case_reference', type: 'varchar', length: '60', isNullable: true }),
      new TableColumn({ name: 'first_response_at', type: 'datetime', isNullable: true }),
    ]);
    await queryRunner.createIndex('ticket', new TableIndex({ name: 'idx_ticket_type', columnNames: ['type'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('ticket', 'idx_ticket_type');
    await queryRunner.dropColumns('ticket', ['first_response_at', 'vendor_case_reference', 'type']);
    await queryRunner.dropTable('contract_service_level');
  }
}
