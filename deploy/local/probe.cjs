// Readiness probe with the repo's own SDKs: node probe.cjs kafka|neo4j. Exit 0 when the engine answers.
// Resolves the SDKs from ALMANAC_ROOT (default: two folders up) so this file needs no node_modules of its own.
const path = require('node:path');
const { createRequire } = require('node:module');

const root = process.env.ALMANAC_ROOT || path.resolve(__dirname, '..', '..');
const req = createRequire(path.join(root, 'package.json'));

const probes = {
  async kafka() {
    const { Kafka, logLevel } = req('kafkajs');
    const kafka = new Kafka({
      clientId: 'almanac-probe',
      brokers: [process.env.KAFKA_BROKERS || '127.0.0.1:9092'],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    // Besides the metadata, wait for the coordinators a fresh broker loads lazily: the group coordinator
    // (consumer offsets) and an idempotent producer id, so the first test does not race them.
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2 } });
    await admin.connect();
    try {
      await admin.listTopics();
      const [group] = (await admin.describeGroups(['almanac-probe'])).groups;
      if (group.errorCode) throw new Error(`group coordinator error ${group.errorCode}`);
      await producer.connect();
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect();
    }
  },
  async neo4j() {
    const neo4j = req('neo4j-driver');
    const driver = neo4j.driver(process.env.NEO4J_URI || 'bolt://127.0.0.1:7687', neo4j.auth.none());
    try {
      const res = await driver.executeQuery('RETURN 1 AS one');
      if (res.records[0].get('one').toNumber() !== 1) throw new Error('unexpected answer');
    } finally {
      await driver.close();
    }
  },
};

const name = process.argv[2];
if (!probes[name]) {
  console.error(`usage: node probe.cjs ${Object.keys(probes).join('|')}`);
  process.exit(2);
}
probes[name]().then(
  () => process.exit(0),
  (err) => {
    console.error(`${name}: ${err.message}`);
    process.exit(1);
  },
);
