import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import semver from 'semver';
import { buildJobDocument, type JobDocumentOptions } from '../../../ota/release/job-document.ts';
import { compareVersions, parseReleaseManifest } from '../../../ota/release/verify.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type {
  PublishReleaseRequest,
  ReleaseDetail,
  ReleaseListQuery,
  ReleasePage,
  StagedArtifact,
} from '../../../protocol/api/releases.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { OtaJobDocument } from '../../../protocol/ota/job-document.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest, type SignedRelease } from '../../../protocol/ota/release.ts';
import type { Database } from '../../storage/database.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { ArtifactStore } from './artifact-store.ts';
import { DeltaBuilder } from './delta-builder.ts';
import type { ReleaseKeys } from './release-keys.ts';
import type { ReleasePorts } from './release-ports.ts';
import { ReleaseRepository, type StoredRelease } from './release-repository.ts';
import { signaturesToPublish } from './release-signatures.ts';
import { releaseDetail, releaseSummary, signedReleaseOf } from './release-views.ts';

export interface ReleaseServiceOptions {
  dataDir: string;
  /** The largest artifact accepted (MAX_ARTIFACT_BYTES by default). */
  maxArtifactBytes: number;
  deltas: {
    /** Deltas are made from this many earlier versions of the same name (the newest ones). */
    bases: number;
    /** Deltas made at once. */
    concurrency: number;
    /** Artifacts larger than this get no deltas (bsdiff needs about 17 bytes of memory per base byte). */
    maxArtifactBytes: number;
  };
  writeDeadlineMs?: number;
}

export interface ReleaseServiceDeps {
  db: Database;
  writer: DatabaseWriter;
  keys: ReleaseKeys;
  clock: Clock;
  log: Logger;
  ports?: ReleasePorts;
  /**
   * A component's own check of its artifact before a publish is stored (a gallery decodes and agrees with its
   * metadata: `fleet/vision/gallery-artifact-check.ts`); its coded refusal stops the publish. Default: none.
   */
  checkArtifact?: (manifest: ReleaseManifest, file: string) => Promise<void>;
}

/** Who publishes or stages: the audit log's actor. */
export type ReleaseActor = { username: string };

/**
 * The fleet's release store (issue 10 items 1–2): artifacts staged by upload, releases published from a manifest
 * naming them, checked with the release rules of `ota/release/` (the same the devices run), stored immutable, and
 * deltas from earlier versions made in the background. What rollouts need of a release (its signed manifest, its
 * deltas, its job document, the files for the device downloads) comes from here.
 */
export class ReleaseService {
  readonly repository: ReleaseRepository;
  readonly files: ArtifactStore;
  readonly deltas: DeltaBuilder;
  private started = false;

  constructor(
    private readonly deps: ReleaseServiceDeps,
    readonly options: ReleaseServiceOptions,
  ) {
    this.repository = new ReleaseRepository(deps.db);
    this.files = new ArtifactStore(options.dataDir);
    this.deltas = new DeltaBuilder(this.repository, deps.writer, this.files, deps.log, {
      concurrency: options.deltas.concurrency,
      ...(options.writeDeadlineMs !== undefined ? { writeDeadlineMs: options.writeDeadlineMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.files.start();
    const artifacts = new Set(this.repository.allArtifactShas());
    const deltas = new Set(this.repository.deltaPairs().map((p) => `${p.fromSha256}-${p.toSha256}`));
    const removed = await this.files.removeOrphans(artifacts, deltas);
    if (removed > 0) this.deps.log.info({ removed }, 'release files without a row removed');
    this.started = true;
    this.deltas.start();
    const { keys } = this.deps;
    this.deps.log.info(
      { trustedKeys: keys.keyring.keyIds(), signingKeyId: keys.signingKeyId },
      keys.signingKey
        ? 'release keys loaded'
        : 'release keys loaded (no signing key: publishing needs signed manifests)',
    );
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.deltas.stop();
  }

  get keys(): ReleaseKeys {
    return this.deps.keys;
  }

  /**
   * Stores an upload's bytes under their sha256 (idempotent: the same bytes again answer `existed` and write
   * nothing). PAYLOAD_TOO_LARGE past the limit, RELEASE_INVALID for an empty upload; neither leaves anything behind.
   */
  async stage(source: Readable, actor: ReleaseActor): Promise<StagedArtifact> {
    this.requireStarted();
    const spooled = await this.files.spool(source, this.options.maxArtifactBytes);
    try {
      if (spooled.size === 0) throw new FleetError('RELEASE_INVALID', 'the artifact is empty');
      const finalPath = this.files.artifactPath(spooled.sha256);
      if (this.repository.artifact(spooled.sha256) && (await this.files.exists(finalPath))) {
        return { sha256: spooled.sha256, size: spooled.size, existed: true };
      }
      // The file first, then its row: a row never names a missing file (a crash in between leaves an orphan file,
      // removed at the next start).
      await this.files.commit(spooled.tempPath, finalPath);
      await this.write('release.artifact', () =>
        this.repository.insertArtifact({
          sha256: spooled.sha256,
          size: spooled.size,
          stagedBy: actor.username,
          stagedAt: this.deps.clock.now(),
        }),
      );
      return { sha256: spooled.sha256, size: spooled.size, existed: false };
    } finally {
      await this.files.remove(spooled.tempPath);
    }
  }

  /**
   * Publishes a release: the manifest's rules (RELEASE_INVALID), its artifact staged with that sha256 and size
   * (RELEASE_HASH_MISMATCH), its signatures verified against the fleet's trusted keys (RELEASE_KEY_UNKNOWN,
   * RELEASE_SIGNATURE_INVALID) or, without any, signed with the fleet's key (RELEASE_SIGNING_KEY_MISSING), a new
   * name and version (RELEASE_EXISTS; versions equal by SemVer precedence, `1.0.0+a` and `1.0.0+b`, are the same).
   * Nothing is stored unless all pass. Deltas from the newest earlier versions are then made in the background.
   */
  async publish(request: PublishReleaseRequest, actor: ReleaseActor): Promise<ReleaseDetail> {
    this.requireStarted();
    const parsed = parseReleaseManifest(request.manifest);
    if (!parsed.ok) throw new FleetError('RELEASE_INVALID', parsed.message);
    const manifest = parsed.manifest;
    const artifact = this.repository.artifact(manifest.artifact.sha256);
    if (!artifact || !(await this.files.exists(this.files.artifactPath(artifact.sha256)))) {
      throw new FleetError(
        'RELEASE_HASH_MISMATCH',
        `no uploaded artifact has sha256 ${manifest.artifact.sha256}: upload the file (POST /api/releases/artifacts) first`,
      );
    }
    if (artifact.size !== manifest.artifact.size) {
      throw new FleetError(
        'RELEASE_HASH_MISMATCH',
        `the artifact ${artifact.sha256} has ${artifact.size} bytes, the manifest says ${manifest.artifact.size}`,
      );
    }
    await this.deps.checkArtifact?.(manifest, this.files.artifactPath(artifact.sha256));
    const signed = signaturesToPublish(manifest, request.signatures, this.deps.keys);
    const id = `rel-${randomBytes(8).toString('hex')}`;
    const now = this.deps.clock.now();
    const bases = this.deltaBases(signed);
    await this.write('release.publish', () => {
      this.requireNew(signed);
      this.repository.insertRelease({
        id,
        component: manifest.component,
        name: manifest.name,
        version: manifest.version,
        sha256: manifest.artifact.sha256,
        size: manifest.artifact.size,
        manifest,
        signatures: signed.signatures,
        publishedBy: actor.username,
        publishedAt: now,
      });
      for (const base of bases) {
        this.repository.insertPendingDelta({
          releaseId: id,
          fromReleaseId: base.id,
          fromSha256: base.sha256,
          toSha256: manifest.artifact.sha256,
          createdAt: now,
        });
      }
    });
    for (const base of bases) this.deltas.enqueue({ fromSha256: base.sha256, toSha256: manifest.artifact.sha256 });
    this.deps.log.info(
      { id, name: manifest.name, version: manifest.version, keyIds: signed.signatures.map((s) => s.keyId) },
      'release published',
    );
    return this.detail(id);
  }

  list(query: ReleaseListQuery): ReleasePage {
    const page = this.repository.list({
      component: query.component,
      name: query.name,
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    });
    return {
      items: page.items.map((r) => releaseSummary(r, this.deps.keys.keyring, this.installedOn(r))),
      total: page.total,
    };
  }

  /** RELEASE_NOT_FOUND for an unknown id. */
  detail(id: string): ReleaseDetail {
    const release = this.require(id);
    return releaseDetail(release, {
      keyring: this.deps.keys.keyring,
      installedOn: this.installedOn(release),
      deltas: this.repository.deltasOf(id),
      rolloutIds: this.deps.ports?.rolloutIdsOf?.(id) ?? [],
    });
  }

  get(id: string): StoredRelease | undefined {
    return this.repository.get(id);
  }

  byNameVersion(name: string, version: string): StoredRelease | undefined {
    return this.repository.byNameVersion(name, version);
  }

  /** The release as signed (what a job document carries); RELEASE_NOT_FOUND. */
  signedRelease(id: string): SignedRelease {
    return signedReleaseOf(this.require(id));
  }

  /** The ready deltas to a release, the newest base first. */
  readyDeltas(id: string): { fromVersion: string; fromSha256: string; sha256: string; size: number }[] {
    return this.repository
      .deltasOf(id)
      .filter((d) => d.state === 'ready')
      .map((d) => ({ fromVersion: d.fromVersion, fromSha256: d.fromSha256, sha256: d.sha256!, size: d.size! }));
  }

  /** The job document of a rollout of this release, with the deltas ready now (`buildJobDocument`). */
  jobDocument(id: string, options: JobDocumentOptions): OtaJobDocument {
    return buildJobDocument(this.signedRelease(id), this.readyDeltas(id), options);
  }

  /** The file of a published release's artifact and its media type, for the device downloads; undefined when no release names it. */
  artifactFile(sha256: string): { path: string; mediaType: string } | undefined {
    const component = /^[0-9a-f]{64}$/.test(sha256) ? this.repository.componentOfArtifact(sha256) : undefined;
    if (!component) return undefined;
    return { path: this.files.artifactPath(sha256), mediaType: ARTIFACT_MEDIA_TYPES[component] };
  }

  /** The file of a ready delta between two artifacts, and its own sha256 (its ETag). */
  deltaFile(fromSha256: string, toSha256: string): { path: string; sha256: string } | undefined {
    const delta = this.repository.readyDelta(fromSha256, toSha256);
    if (!delta?.sha256) return undefined;
    return { path: this.files.deltaPath(fromSha256, toSha256), sha256: delta.sha256 };
  }

  /**
   * Deletes a release, its signatures and its deltas (to and from it), then the files nothing names any more.
   * RELEASE_NOT_FOUND; RELEASE_IN_USE while a rollout that has not finished uses it.
   */
  async remove(id: string): Promise<StoredRelease> {
    const release = await this.write('release.delete', () => {
      const found = this.require(id);
      if (this.deps.ports?.isInUse?.(id)) {
        throw new FleetError('RELEASE_IN_USE', `a rollout of ${found.name}@${found.version} has not finished`);
      }
      const pairs = [
        ...this.repository.deltasOf(id),
        ...this.repository.deltaPairs().filter((p) => p.fromSha256 === found.sha256),
      ];
      this.repository.deleteRelease(id);
      if (this.repository.artifactUses(found.sha256) === 0) this.repository.deleteArtifact(found.sha256);
      return { found, pairs };
    });
    const { found, pairs } = release;
    for (const pair of pairs) {
      if (this.repository.deltaFileUses(pair.fromSha256, pair.toSha256) === 0) {
        await this.files.remove(this.files.deltaPath(pair.fromSha256, pair.toSha256));
      }
    }
    if (!this.repository.artifact(found.sha256)) await this.files.remove(this.files.artifactPath(found.sha256));
    this.deps.log.info({ id, name: found.name, version: found.version }, 'release deleted');
    return found;
  }

  /** Inside the publishing transaction: RELEASE_EXISTS for the same name at the same SemVer precedence. */
  private requireNew(signed: SignedRelease): void {
    const { name, version, component } = signed.manifest;
    for (const other of this.repository.ofName(name)) {
      if (compareVersions(other.version, version) === 0) {
        throw new FleetError('RELEASE_EXISTS', `${name}@${other.version} exists already (releases are immutable)`);
      }
      if (other.component !== component) {
        throw new FleetError('RELEASE_INVALID', `${name} is a ${other.component} release, not ${component}`);
      }
    }
  }

  /** The newest earlier versions of the same name whose artifacts bsdiff may take (none of a bigger artifact). */
  private deltaBases(signed: SignedRelease): StoredRelease[] {
    const { name, version, artifact } = signed.manifest;
    const limit = this.options.deltas.maxArtifactBytes;
    if (this.options.deltas.bases === 0 || artifact.size > limit) return [];
    return this.repository
      .ofName(name)
      .filter(
        (r) =>
          semver.valid(r.version) && semver.lt(r.version, version) && r.size <= limit && r.sha256 !== artifact.sha256,
      )
      .sort((a, b) => semver.rcompare(a.version, b.version))
      .slice(0, this.options.deltas.bases);
  }

  private installedOn(release: StoredRelease): number {
    return this.deps.ports?.installedOn?.(release) ?? 0;
  }

  private require(id: string): StoredRelease {
    const release = this.repository.get(id);
    if (!release) throw new FleetError('RELEASE_NOT_FOUND', `no release ${id}`);
    return release;
  }

  private requireStarted(): void {
    if (!this.started) throw new FleetError('INTERNAL', 'the release store is not running');
  }

  private write<T>(label: string, run: () => T): Promise<T> {
    return this.deps.writer.write(label, run, { deadlineMs: this.options.writeDeadlineMs });
  }
}
