/**
 * The ModelRegistry contract, run against every adapter (today the embedded one only). `make`
 * returns a fresh, isolated, initialised registry configured with `overrides` (the gate's values
 * come from config `retrain.*`). ONNX files are the tiny hand-made network, one per scale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../core/config.ts';
import type { ModelMetrics, ModelRegistry } from '../../models/registry/model-registry.ts';
import { judgeChallenger } from '../../models/registry/promotion-gate.ts';
import { UNKNOWN_METRICS } from '../../models/registry/signature-schema.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';

export function modelRegistryContract(name: string, make: (overrides?: ConfigInput) => Promise<ModelRegistry>): void {
  describe(`ModelRegistry contract: ${name}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-registry-contract-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    /** Distinct ONNX files (different weights, same signature). */
    const files = [1, 2, 3, 4].map((s) => writeTinyOnnx(dir, `m${s}.onnx`, s));
    const onnx = (i: number) => files[i] as string;
    const registerOn = (registry: ModelRegistry, i: number, metrics: ModelMetrics, modelName = 'touch-success') =>
      registry.register({ name: modelName, onnxFile: onnx(i), metrics, signature: tinySignature, lineage: tinyLineage });
    /** A registry whose gate tolerance is 0 (tests that pin the comparison exactly). */
    const strict = () => make({ retrain: { gateTolerance: 0 } });

    describe('register / list / get', () => {
      it('registers monotonic versions with metrics, signature, lineage and a copy of the ONNX file', async () => {
        const registry = await make();
        const v1 = await registerOn(registry, 0, tinyMetrics(0.7));
        const v2 = await registerOn(registry, 1, tinyMetrics(0.72));
        expect([v1.version, v2.version]).toEqual([1, 2]);
        expect(fs.readFileSync(v2.onnxPath)).toEqual(fs.readFileSync(onnx(1)));
        expect(v2.onnxPath).not.toBe(onnx(1));
        const listed = await registry.list();
        expect(listed.map((v) => v.version)).toEqual([1, 2]);
        expect(listed[0]).toMatchObject({ name: 'touch-success', metrics: { roc_auc: 0.7 }, lineage: { trainingSetId: 'ts-1' }, signature: tinySignature, aliases: [] });
        expect(Date.parse(listed[0]?.createdAt ?? '')).not.toBeNaN();
        expect(await registry.get(2)).toEqual(v2);
      });

      it('returns the existing version when the same model is registered again (idempotent), also concurrently', async () => {
        const registry = await make();
        const a = await registerOn(registry, 0, tinyMetrics(0.7));
        const b = await registerOn(registry, 0, tinyMetrics(0.7));
        expect(b.version).toBe(a.version);
        const again = await Promise.all([1, 2, 3].map(() => registerOn(registry, 1, tinyMetrics(0.71))));
        expect(again.map((v) => v.version)).toEqual([2, 2, 2]);
        expect(await registry.list()).toHaveLength(2);
        expect((await registerOn(registry, 0, tinyMetrics(0.7), 'other-name')).version).toBe(3);
      });

      it('serialises concurrent registrations of different models into distinct versions', async () => {
        const registry = await make();
        const versions = await Promise.all([0, 1, 2].map((i) => registerOn(registry, i, tinyMetrics(0.6 + i / 100))));
        expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3]);
      });

      it('keeps unknown metrics unknown (NaN), not 0 or null', async () => {
        const registry = await make();
        const v = await registerOn(registry, 0, UNKNOWN_METRICS);
        const got = await registry.get(v.version);
        expect([got.metrics.roc_auc, got.metrics.pr_auc, got.metrics.log_loss]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
      });

      it('reports a missing ONNX file and unknown versions as ALMANAC_ERR_INPUT_NOT_FOUND', async () => {
        const registry = await make();
        await expect(registry.register({ name: 'x', onnxFile: path.join(dir, 'nope.onnx'), metrics: tinyMetrics(0.7), signature: tinySignature, lineage: tinyLineage }))
          .rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
        expect(await registry.list()).toEqual([]);
        await expect(registry.get(9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
        await expect(registry.get(0)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
        await expect(registry.promote(9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
        await expect(registry.setAlias('challenger', 9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
      });
    });

    describe('aliases', () => {
      it('resolves nothing before an alias is set, then follows setAlias', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.7));
        expect(await registry.resolve('champion')).toBeUndefined();
        expect(await registry.resolve('challenger')).toBeUndefined();
        await registry.setAlias('challenger', 1);
        expect((await registry.resolve('challenger'))?.version).toBe(1);
        await registry.setAlias('challenger', 2);
        expect((await registry.resolve('challenger'))?.version).toBe(2);
        expect((await registry.get(1)).aliases).toEqual([]);
        expect((await registry.list()).map((v) => v.aliases)).toEqual([[], ['challenger']]);
      });

      it('changes revision whenever aliases change, and only then', async () => {
        const registry = await make();
        const r0 = await registry.revision();
        await registerOn(registry, 0, tinyMetrics(0.7));
        expect(await registry.revision()).toBe(r0);
        await registry.setAlias('challenger', 1);
        const r1 = await registry.revision();
        expect(r1).not.toBe(r0);
        await registry.promote(1);
        expect(await registry.revision()).not.toBe(r1);
      });
    });

    describe('promote', () => {
      it('promotes a first model that passes the floor, then gates on the holdout metric', async () => {
        const registry = await strict();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.65, 0.3));
        await registerOn(registry, 2, tinyMetrics(0.69));
        expect(await registry.promote(1)).toMatchObject({ promoted: true, reason: expect.stringContaining('first champion') });
        await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
        expect((await registry.resolve('champion'))?.version).toBe(1);
        // log loss: lower is better → version 2 passes
        expect(await registry.promote(2, { gate: { metric: 'log_loss', tolerance: 0 } })).toMatchObject({ promoted: true, previous: 1 });
        // 0.69 ≥ 0.65 − 0 passes on roc_auc against version 2
        expect(await registry.promote(3, { gate: { metric: 'roc_auc', tolerance: 0.0 } })).toMatchObject({ promoted: true, previous: 2 });
        await expect(registry.promote(1, { gate: { metric: 'roc_auc', tolerance: 0.005 } })).resolves.toMatchObject({ promoted: true });
      });

      it('honours tolerance and force, and refuses to promote the champion again', async () => {
        const registry = await strict();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.69));
        await registry.promote(1);
        await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
        await expect(registry.promote(2, { gate: { metric: 'roc_auc', tolerance: 0.02 } })).resolves.toMatchObject({ promoted: true, previous: 1 });
        await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
        await registerOn(registry, 2, tinyMetrics(0.5));
        await expect(registry.promote(3)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
        await expect(registry.promote(3, { force: true })).resolves.toMatchObject({ promoted: true, previous: 2, reason: expect.stringContaining('forced') });
      });

      it('takes the gate from config retrain.* (tolerance, floor) and reports the decision in the error', async () => {
        const lenient = await make({ retrain: { gateTolerance: 0.05 } });
        await registerOn(lenient, 0, tinyMetrics(0.7));
        await registerOn(lenient, 1, tinyMetrics(0.66));
        await lenient.promote(1);
        expect(await lenient.promote(2)).toMatchObject({ promoted: true, previous: 1, decision: { passed: true, gate: { metric: 'roc_auc', tolerance: 0.05, minRocAuc: 0.55 } } });

        const high = await make({ retrain: { minRocAuc: 0.8 } });
        await registerOn(high, 0, tinyMetrics(0.7));
        const rejected = await high.promote(1).catch((e: unknown) => e);
        expect(rejected).toMatchObject({
          code: 'ALMANAC_ERR_MODEL_GATE_FAILED', message: expect.stringContaining('holdout roc_auc 0.7000 is below the floor 0.8000'),
          details: { version: 1, decision: { passed: false, challenger: 0.7, reasons: ['holdout roc_auc 0.7000 is below the floor 0.8000', 'first champion (no champion to compare with)'] } },
        });
        expect(await high.resolve('champion')).toBeUndefined();
      });

      it('moves the challenger alias off a promoted version and remembers the previous champion', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.8));
        await registry.promote(1);
        await registry.setAlias('challenger', 2);
        expect(await registry.promote(2)).toMatchObject({ promoted: true, previous: 1 });
        expect((await registry.get(2)).aliases).toEqual(['champion']);
        expect(await registry.resolve('challenger')).toBeUndefined();
      });
    });

    describe('promote: unknown (NaN) metrics', () => {
      it('never passes a challenger without metrics, with or without a champion, unless forced', async () => {
        const registry = await make();
        await registerOn(registry, 0, UNKNOWN_METRICS);
        await expect(registry.promote(1)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED', message: expect.stringContaining('challenger has no holdout roc_auc') });
        expect(await registry.promote(1, { force: true })).toMatchObject({ promoted: true, reason: expect.stringMatching(/^forced: /) });
        await registerOn(registry, 1, UNKNOWN_METRICS, 'external-2');
        await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
        expect((await registry.resolve('champion'))?.version).toBe(1);
      });

      it('does not let a champion without metrics block a challenger that passes the floor', async () => {
        const registry = await make();
        await registerOn(registry, 0, UNKNOWN_METRICS, 'external');
        await registry.promote(1, { force: true });
        await registerOn(registry, 1, tinyMetrics(0.5));
        await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED', message: expect.stringContaining('below the floor') });
        await registerOn(registry, 2, tinyMetrics(0.6));
        expect(await registry.promote(3)).toMatchObject({ promoted: true, previous: 1, reason: expect.stringContaining('champion has no roc_auc: not compared, the floor decides') });
      });
    });

    describe('promote with a verdict judged earlier', () => {
      it('uses a verdict judged against the current champion as is', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.75));
        await registry.promote(1);
        const gate = { metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.55 } as const;
        const verdict = await judgeChallenger(registry, 2, gate);
        expect(verdict).toMatchObject({ passed: true, version: 2, championVersion: 1 });
        expect(await registry.promote(2, { gate, verdict })).toMatchObject({ promoted: true, previous: 1, decision: { reasons: verdict.reasons } });
      });

      it('judges again when the champion changed since the verdict', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.71));
        await registerOn(registry, 2, tinyMetrics(0.9));
        await registry.promote(1);
        const gate = { metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.55 } as const;
        const stale = await judgeChallenger(registry, 2, gate);
        expect(stale.passed).toBe(true);
        await registry.promote(3); // another process promotes a better model meanwhile
        await expect(registry.promote(2, { gate, verdict: stale })).rejects.toMatchObject({
          code: 'ALMANAC_ERR_MODEL_GATE_FAILED', details: { champion: 3, decision: { passed: false, champion: 0.9 } },
        });
        expect((await registry.resolve('champion'))?.version).toBe(3);
      });
      it('judges again when the verdict was taken with another gate', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.66));
        await registry.promote(1);
        const lenient = await judgeChallenger(registry, 2, { metric: 'roc_auc', tolerance: 0.05, minRocAuc: 0.55 });
        expect(lenient.passed).toBe(true);
        await expect(registry.promote(2, { gate: { tolerance: 0 }, verdict: lenient })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
      });
    });

    describe('rollback', () => {
      it('rolls back one step and remembers no further', async () => {
        const registry = await make();
        await registerOn(registry, 0, tinyMetrics(0.7));
        await registerOn(registry, 1, tinyMetrics(0.8));
        await expect(registry.rollback()).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
        await registry.promote(1);
        await expect(registry.rollback()).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
        await registry.promote(2);
        expect(await registry.rollback()).toEqual({ champion: 1, previous: 2 });
        expect((await registry.resolve('champion'))?.version).toBe(1);
        expect((await registry.get(2)).aliases).toEqual([]);
        await expect(registry.rollback()).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
      });
    });
  });
}
