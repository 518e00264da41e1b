// The client side of an import: the AIPerf job's `aiperf profile` replay (flags, environment) → client keys, or AIPerf's defaults.
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { inputError } from '../util/errors.ts';
import { containerCommands, parseArgv, type Word } from './dgd-argv.ts';
import { isObj, yamlMessage } from './dgd-engine.ts';
import type { Findings } from './dgd-findings.ts';
import { K8S_REASON, type Verdict } from './dgd-keys.ts';
import { GOODPUT_KEYS } from './run-command.ts';

type Obj = Record<string, unknown>;

export interface ClientSettings {
  client: Obj;
  /** Client key → where its value came from. */
  sources: Map<string, string>;
}

const RUN_INPUT = 'a run input, not a scenario key';
const OUTPUT = 'what AIPerf shows and exports, not what it measures';
const FLAGS: Record<string, Verdict> = {
  '--input-file': ['ignored', `${RUN_INPUT}: the trace is \`servesim run --trace FILE\``],
  '--random-seed': ['ignored', `${RUN_INPUT}: \`servesim run --seed\` (42 by default); AIPerf seeds only the prompt text it makes up for the trace's hash ids`],
  '--custom-dataset-type': ['ignored', 'mooncake_trace: the trace format `servesim run --trace` reads'],
  '--streaming': ['ignored', "streamed responses, as servesim's client measures TTFT and ITL"],
  '--fixed-schedule': ['ignored', "each request is sent at its trace timestamp, as servesim's client does"],
  '-m': ['ignored', 'the model name the requests carry'],
  '--model': ['ignored', 'the model name the requests carry'],
  '--model-names': ['ignored', 'the model name the requests carry'],
  '--tokenizer': ['ignored', 'the tokenizer AIPerf builds prompts with: the trace gives token counts'],
  '--url': ['ignored', 'where the frontend listens'],
  '-u': ['ignored', 'where the frontend listens'],
  '--endpoint-type': ['ignored', 'the OpenAI API flavour of the requests'],
  '--ui': ['ignored', OUTPUT],
  '--ui-type': ['ignored', OUTPUT],
  '--artifact-dir': ['ignored', OUTPUT],
  '--profile-export-level': ['ignored', OUTPUT],
  '--export-level': ['ignored', OUTPUT],
  '--record-processors': ['ignored', 'processes that post-process the records after they are measured'],
  '--server-metrics': ['ignored', "scraping the workers' Prometheus metrics during the run"],
  '--log-level': ['ignored', OUTPUT],
  '--verbose': ['ignored', OUTPUT],
  '-v': ['ignored', OUTPUT],
  '--benchmark-duration': ['unsupported', 'cutting the replay short is not modelled (use a shorter trace)'],
  '--warmup-request-count': ['unsupported', 'warm-up requests are not modelled'],
  '--fixed-schedule-auto-offset': ['unsupported', 'shifting the schedule is not modelled'],
  '--fixed-schedule-start-offset': ['unsupported', 'shifting or cutting the schedule is not modelled'],
  '--fixed-schedule-end-offset': ['unsupported', 'shifting or cutting the schedule is not modelled'],
  '--extra-inputs': ['unsupported', 'extra request fields: servesim generates exactly the trace output_length tokens'],
  '--prefill-concurrency': ['unsupported', 'a concurrency cap on prefills is not modelled'],
};
const BOOLEANS = new Set(['--streaming', '--fixed-schedule', '--fixed-schedule-auto-offset', '--verbose', '-v', '--extra-verbose', '-vv']);

/** No AIPerf job: the client keys at AIPerf's defaults as the schema has them. */
export function aiperfDefaults(findings: Findings): ClientSettings {
  const why = 'no --aiperf job given';
  findings.add('default', 'client', 'client.connection_limit', `${why}: AIPERF_HTTP_CONNECTION_LIMIT's default`, 2500);
  findings.add('default', 'client', 'client.worker_processes', `${why}: servesim's default (AIPerf sizes its workers from the client's CPU count)`, 1);
  findings.add('default', 'client', 'client.request_timeout_seconds', `${why}: servesim's default`, 1000);
  findings.add('default', 'client', 'client.goodput_ttft_ms / goodput_itl_ms', `${why}: no goodput SLO (AIPerf reports goodput only with --goodput)`);
  const sources = new Map([['connection_limit', 'AIPerf default'], ['worker_processes', "servesim's default"], ['request_timeout_seconds', "servesim's default"]]);
  return { client: { connection_limit: 2500, worker_processes: 1, request_timeout_seconds: 1000 }, sources };
}

interface Found {
  container: Obj;
  where: string;
}

function containersOf(doc: Obj): Found[] {
  const spec = isObj(doc.spec) ? doc.spec : {};
  const pod = doc.kind === 'Pod' ? spec : doc.kind === 'CronJob' ? (spec as { jobTemplate?: { spec?: { template?: { spec?: Obj } } } }).jobTemplate?.spec?.template?.spec : (spec as { template?: { spec?: Obj } }).template?.spec;
  const list = isObj(pod) && Array.isArray(pod.containers) ? pod.containers.filter(isObj) : [];
  return list.map((c, k) => ({ container: c, where: `container ${typeof c.name === 'string' && c.name !== '' ? c.name : k}` }));
}

/** The AIPerf job: its replay command's flags and environment → client keys; everything else listed. */
export function readAiperfJob(file: string, text: string, extraEnv: ReadonlyMap<string, string>, findings: Findings): ClientSettings {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const all = Array.isArray(docs) ? docs : [docs];
  for (const d of all) {
    const err = d.errors[0];
    if (err) throw inputError({ file, line: err.linePos?.[0]?.line }, `invalid YAML (${yamlMessage(err)})`);
  }
  const objs = all
    .map((d) => {
      try {
        return d.toJS() as unknown;
      } catch (e) {
        throw inputError({ file }, `invalid YAML (${yamlMessage(e)})`);
      }
    })
    .filter(isObj);
  for (const o of objs) {
    for (const { container, where: inJob } of containersOf(o)) {
      const where = `${basename(file)} ${inJob}`;
      const env = new Map<string, string | undefined>();
      for (const e of Array.isArray(container.env) ? container.env.filter(isObj) : []) if (typeof e.name === 'string') env.set(e.name, e.value === undefined ? undefined : String(e.value));
      for (const [k, v] of extraEnv) env.set(k, v);
      const known = new Map([...env].filter((e): e is [string, string] => e[1] !== undefined));
      const str = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      const runs = containerCommands(str(container.command), str(container.args), known).filter((c) => c[0]?.text === 'aiperf' && c[1]?.text === 'profile');
      if (runs.length === 0) continue;
      const replay = runs.filter((r) => r.some((w) => w.text === '--fixed-schedule' || w.text === '--input-file')).pop() ?? runs[runs.length - 1];
      for (const r of runs) {
        const cmd = r.map((w) => w.text).join(' ');
        if (r !== replay) findings.add('ignored', where, 'aiperf profile (warm-up)', 'another aiperf run before the replay: it ends before the replay starts, and its made-up prompts share no prefix with the trace', cmd.length > 90 ? `${cmd.slice(0, 90)}…` : cmd);
      }
      const script = [...str(container.command), ...str(container.args)].join('\n');
      const version = /aiperf==([\w.]+)/.exec(script)?.[1];
      if (version) findings.add('ignored', where, 'aiperf version', "servesim's client is AIPerf's as of ~0.7.0; docs/client-behaviour.md found the modelled mechanisms (connection pool, worker routing, time-out) the same in every version read, Sept 2025 - mid 2026", version);
      for (const [k, v] of Object.entries(container)) if (!['command', 'args', 'env'].includes(k) && v !== null) findings.add('ignored', where, k, K8S_REASON);
      const pod = (o.spec as { template?: { spec?: Obj } } | undefined)?.template?.spec ?? {};
      for (const [k, v] of Object.entries(pod)) if (k !== 'containers' && v !== null) findings.add('ignored', `${basename(file)} pod`, k, K8S_REASON);
      for (const [k, v] of Object.entries(isObj(o.spec) ? o.spec : {})) if (k !== 'template' && k !== 'containers' && v !== null) findings.add('ignored', `${basename(file)} ${String(o.kind)}`, `spec.${k}`, K8S_REASON);
      return mapReplay(file, where, replay.slice(2), env, findings);
    }
  }
  throw inputError({ file }, 'no container runs `aiperf profile`: not an AIPerf benchmark job');
}

function mapReplay(file: string, where: string, words: Word[], env: Map<string, string | undefined>, findings: Findings): ClientSettings {
  const client: Obj = {};
  const sources = new Map<string, string>();
  const args = parseArgv(words, BOOLEANS);
  const flags = new Set(args.map((a) => a.flag));
  const unresolved = (w: Word) => `uses ${w.unresolved.join(', ')}, which the job does not set: pass --aiperf-env NAME=VALUE`;
  const positive = (a: { flag?: string; value?: Word }, key: string, int: boolean) => {
    const w = a.value;
    if (!w) throw inputError({ file, field: `${where} ${a.flag}` }, 'expects a value');
    if (w.unresolved.length > 0) return findings.add('unsupported', `${where} aiperf profile`, a.flag!, `the value ${unresolved(w)}; the scenario keeps servesim's default`, w.text);
    const n = Number(w.text);
    if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw inputError({ file, field: `${where} ${a.flag}` }, `expected a positive ${int ? 'integer' : 'number'}, got '${w.text}'`);
    client[key] = n;
    sources.set(key, `${basename(file)} ${a.flag}`);
  };
  for (const a of args) {
    if (a.flag === undefined) {
      if (!a.word?.text.startsWith('${')) findings.add('unsupported', `${where} aiperf profile`, a.word?.text ?? '', 'a stray argument: not an AIPerf flag servesim knows');
      else findings.add('ignored', `${where} aiperf profile`, a.word.text, 'an array of extra arguments the job fills at run time (here: server metrics URLs)');
    } else if (a.flag === '--workers-max' || a.flag === '--max-workers') positive(a, 'worker_processes', true);
    else if (a.flag === '--request-timeout-seconds') positive(a, 'request_timeout_seconds', false);
    else if (a.flag === '--request-rate') positive(a, 'request_rate', false);
    else if (a.flag === '--concurrency') positive(a, 'concurrency', true);
    else if (a.flag === '--request-count') positive(a, 'request_count', true);
    else if (a.flag === '--request-rate-mode' || a.flag === '--arrival-pattern') {
      const mode = a.value?.text;
      if (mode !== 'poisson' && mode !== 'constant') findings.add('unsupported', `${where} aiperf profile`, a.flag, 'servesim sends at poisson or constant gaps', mode);
      else {
        client.request_rate_mode = mode;
        sources.set('request_rate_mode', `${basename(file)} ${a.flag}`);
      }
    }
    else if (a.flag === '--goodput') {
      const w = a.value;
      if (!w || w.unresolved.length > 0) {
        findings.add('unsupported', `${where} aiperf profile`, '--goodput', w ? `the SLO ${unresolved(w)}; the scenario has no goodput SLO` : 'expects a value', w?.text);
        continue;
      }
      for (const part of w.text.trim().split(/\s+/)) {
        const [tag, value] = part.split(':');
        const key = GOODPUT_KEYS[tag]?.replace(/^client\./, '');
        const v = Number(value);
        if (!key) findings.add('unsupported', `${where} aiperf profile --goodput`, tag, `servesim's goodput counts ${Object.keys(GOODPUT_KEYS).join(' and ')} only`, value);
        else if (!Number.isFinite(v) || v <= 0) throw inputError({ file, field: `${where} --goodput` }, `'${part}': expected tag:milliseconds with a positive number`);
        else {
          client[key] = v;
          sources.set(key, `${basename(file)} --goodput ${tag}`);
        }
      }
    } else {
      const value = a.value?.text;
      if (a.flag === '--custom-dataset-type' && value !== 'mooncake_trace') findings.add('unsupported', `${where} aiperf profile`, a.flag, 'servesim replays Mooncake traces only', value);
      else {
        const [kind, reason] = FLAGS[a.flag] ?? ['unsupported', 'not an AIPerf flag servesim knows: its effect is not simulated'];
        findings.add(kind, `${where} aiperf profile`, a.flag, reason, value);
      }
    }
  }
  if (flags.has('--fixed-schedule')) {
    // AIPerf's mode selection: a fixed schedule wins over a rate or a concurrency
    for (const key of ['request_rate', 'concurrency', 'request_rate_mode'] as const) {
      if (client[key] === undefined) continue;
      findings.add('ignored', `${where} aiperf profile`, `--${key.replace(/_/g, '-')}`, 'with --fixed-schedule AIPerf sends at the trace timestamps (its fixed schedule wins over a rate or concurrency)', String(client[key]));
      delete client[key];
      sources.delete(key);
    }
  } else {
    // AIPerf turns the fixed schedule on by itself for a Mooncake trace with timestamps, unless a rate or concurrency is given
    if (client.request_rate !== undefined || client.concurrency !== undefined) {
      client.fixed_schedule = false;
      sources.set('fixed_schedule', `${basename(file)}: --request-rate / --concurrency without --fixed-schedule`);
    }
    // AIPerf spaces the sends by the mode at a request rate only
    if (client.request_rate_mode !== undefined && client.request_rate === undefined) {
      findings.add('ignored', `${where} aiperf profile`, '--request-rate-mode', 'without --request-rate AIPerf has no rate to space the sends of', String(client.request_rate_mode));
      delete client.request_rate_mode;
      sources.delete('request_rate_mode');
    }
  }
  if (!flags.has('--streaming')) findings.add('unsupported', `${where} aiperf profile`, '--streaming (absent)', 'without streaming AIPerf sees one response per request: servesim measures streamed tokens');
  const limit = env.get('AIPERF_HTTP_CONNECTION_LIMIT');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n <= 0) throw inputError({ file, field: `${where} env AIPERF_HTTP_CONNECTION_LIMIT` }, `expected a positive integer, got '${limit}'`);
    client.connection_limit = n;
    sources.set('connection_limit', `${basename(file)} env AIPERF_HTTP_CONNECTION_LIMIT`);
  }
  for (const [name, value] of env) {
    if (name === 'AIPERF_HTTP_CONNECTION_LIMIT') continue;
    if (name.startsWith('AIPERF_') && name !== 'AIPERF_SERVER_METRICS_URLS') findings.add('unsupported', `${where} env`, name, 'an AIPerf setting servesim does not model', value);
    else findings.add('ignored', `${where} env`, name, "variables of the job's script: what they fill into the aiperf flags is listed with the flags", value);
  }
  const defaults: Array<[string, unknown, string]> = [
    ['connection_limit', 2500, "AIPERF_HTTP_CONNECTION_LIMIT not set: AIPerf's default"],
    ['worker_processes', 1, "--workers-max not given: servesim's default (AIPerf sizes its workers from the client's CPU count)"],
    ['request_timeout_seconds', 1000, "--request-timeout-seconds not given: servesim's default"],
  ];
  for (const [key, value, why] of defaults) {
    if (client[key] !== undefined) continue;
    client[key] = value;
    sources.set(key, why);
    findings.add('default', where, `client.${key}`, why, value);
  }
  return { client, sources };
}
