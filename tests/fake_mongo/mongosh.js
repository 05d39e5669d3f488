#!/usr/bin/env node
// Stand-in `mongosh` (and, installed as `mongo`, the legacy shell) for tests: runs the script
// given with --eval for real (node's vm module) against a small in-file MongoDB: the state the
// stand-in mongorestore writes (tests/fake_mongo/fake_state.hpp). It implements only the shell
// API the agent's drill and coverage scripts use -- db.adminCommand({listDatabases}),
// db.getSiblingDB, Database.getCollection/getCollectionNames/getCollectionInfos/dropDatabase,
// Collection.countDocuments/estimatedDocumentCount/getIndexes/findOne/insertOne/drop, print,
// printjson, EJSON (mongosh only), quit -- with the real shell's command line: --quiet --norc
// --eval, --host/--port or a mongodb:// URI, --username/--authenticationDatabase with the
// password read from stdin when --password has no value. Settings: <dir>/config as for the
// other stand-ins (password, username, auth_db, db, extra_databases, shell_fault).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const legacy = path.basename(process.argv[1]) === 'mongo';
const dir = process.env.FAKE_MONGO_DIR || path.join(path.dirname(fs.realpathSync(__filename)),
                                                    'fake-mongo.d');

function loadConfig() {
  const cfg = {};
  let text = '';
  try { text = fs.readFileSync(path.join(dir, 'config'), 'utf8'); } catch (e) { return cfg; }
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const eq = line.indexOf('=');
    if (eq > 0) cfg[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return cfg;
}
const cfg = loadConfig();

function fail(message, code = 1) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

// ---- command line (mongosh's own words for what it refuses) ----------------------------
const args = process.argv.slice(2);
const opt = { eval: [], positional: [] };
const record = [];
for (let i = 0; i < args.length; ++i) {
  let a = args[i];
  let value;
  const eq = a.indexOf('=');
  if (a.startsWith('--') && eq > 0) { value = a.slice(eq + 1); a = a.slice(0, eq); }
  const take = () => {
    if (value !== undefined) return value;
    if (i + 1 >= args.length) fail(`MongoshInvalidInputError: [COMMON-10001] Missing value for ${a}`);
    return args[++i];
  };
  switch (a) {
    case '--quiet': case '--norc': case '--nodb': record.push(a); break;
    case '--eval': opt.eval.push(take()); record.push(a, '<script>'); break;
    case '--host': opt.host = take(); record.push(a, opt.host); break;
    case '--port': opt.port = take(); record.push(a, opt.port); break;
    case '-u': case '--username': opt.username = take(); record.push(a, opt.username); break;
    case '--authenticationDatabase': opt.authDb = take(); record.push(a, opt.authDb); break;
    case '-p': case '--password':
      // A value only when given inline or when the next word is not another option.
      if (value !== undefined) opt.password = value;
      else if (i + 1 < args.length && !args[i + 1].startsWith('-')) opt.password = args[++i];
      record.push(a, opt.password === undefined ? '' : '<masked>');
      break;
    default:
      if (a.startsWith('-')) fail(`MongoshUnimplementedError: [COMMON-90001] unknown option ${a}`);
      opt.positional.push(a);
      record.push(a);
  }
}
fs.writeFileSync(path.join(dir, (legacy ? 'mongo' : 'mongosh') + '.last'), record.join('\n') + '\n');
if (opt.eval.length > 0) {
  fs.appendFileSync(path.join(dir, 'shell-scripts'), opt.eval.join('\n') + '\n//----\n');
}

// ---- which server: the same key as fake_state.cpp server_of ----------------------------
let authority = '';
const uri = opt.positional.find((p) => p.startsWith('mongodb://'));
if (uri) authority = uri.slice('mongodb://'.length).split(/[/?]/)[0];
if (opt.host) authority = opt.host + (opt.port ? ':' + opt.port : '');
if (!opt.host && opt.port) authority = 'localhost:' + opt.port;
const defaultServer = ['', 'localhost', 'localhost:27017', '127.0.0.1:27017'].includes(authority);
const stateDir = defaultServer ? path.join(dir, 'state')
                               : path.join(dir, 'state-' + authority.replace(/[^A-Za-z0-9.]/g, '_'));
const production = new Set();
if (defaultServer) {
  for (const n of [cfg.db || 'smoker', 'admin', 'config', 'local']) production.add(n);
  for (const n of (cfg.extra_databases || '').split(',')) if (n) production.add(n);
}

// ---- authentication, as the real shell: the password prompt reads stdin ----------------
function readLineFromStdin() {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n = 0;
    try { n = fs.readSync(0, buf, 0, 1, null); } catch (e) { if (e.code === 'EAGAIN') continue; break; }
    if (n === 0) break;
    const c = buf.toString('latin1');
    if (c === '\n' || c === '\r') break;
    line += c;
  }
  return line;
}
if (cfg.password || opt.username !== undefined) {
  let password = opt.password;
  if (opt.username !== undefined && password === undefined) {
    process.stdout.write('Enter password: ');
    password = readLineFromStdin();
    process.stdout.write('\n');
  }
  if (opt.username !== (cfg.username || 'backup') || (opt.authDb || 'admin') !== (cfg.auth_db || 'admin') ||
      password !== (cfg.password || '')) {
    fail('MongoServerError: Authentication failed.');
  }
}
if (cfg.shell_fault === 'unreachable') {
  fail('MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017');
}

// ---- values: relaxed Extended JSON in the files, comparable JS values in queries ------
function norm(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(norm);
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const k = keys[0], x = v[k];
    if (k === '$date') return typeof x === 'object' ? Number(x.$numberLong) : Date.parse(x);
    if (k === '$numberLong' || k === '$numberInt' || k === '$numberDouble' || k === '$numberDecimal') return Number(x);
    if (k === '$oid') return String(x);
  }
  const out = {};
  for (const k of keys) out[k] = norm(v[k]);
  return out;
}
// JS values -> relaxed Extended JSON values (Dates become {$date}; JSON.stringify would call
// Date.toJSON before any replacer sees them).
function toEJSON(v) {
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(toEJSON);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = toEJSON(v[k]);
    return out;
  }
  return v;
}
function getPath(doc, dotted) {
  let cur = doc;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}
function equal(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
function isOperatorDoc(c) {
  return c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length > 0 &&
         Object.keys(c).every((k) => k.startsWith('$'));
}
function matchCond(value, cond) {
  if (!isOperatorDoc(cond)) return equal(value, cond) || (Array.isArray(value) && value.some((x) => equal(x, cond)));
  for (const [op, arg] of Object.entries(cond)) {
    let ok;
    switch (op) {
      case '$eq': ok = equal(value, arg); break;
      case '$ne': ok = !equal(value, arg); break;
      case '$gt': ok = value !== undefined && value > arg; break;
      case '$gte': ok = value !== undefined && value >= arg; break;
      case '$lt': ok = value !== undefined && value < arg; break;
      case '$lte': ok = value !== undefined && value <= arg; break;
      case '$in': ok = arg.some((x) => equal(value, x)); break;
      case '$nin': ok = !arg.some((x) => equal(value, x)); break;
      case '$exists': ok = (value !== undefined) === Boolean(arg); break;
      default: throw new Error(`MongoServerError: unknown operator: ${op}`);
    }
    if (!ok) return false;
  }
  return true;
}
function matches(doc, filter) {
  for (const [k, cond] of Object.entries(filter || {})) {
    if (k === '$and') { if (!cond.every((f) => matches(doc, f))) return false; continue; }
    if (k === '$or') { if (!cond.some((f) => matches(doc, f))) return false; continue; }
    if (!matchCond(getPath(doc, k), cond)) return false;
  }
  return true;
}

// ---- the in-file server ------------------------------------------------------------------
function checkName(kind, name) {
  if (typeof name !== 'string' || name === '' || /[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new Error(`MongoServerError: Invalid ${kind} name: ${name}`);
  }
}
function noteWrite(db, what) {
  if (production.has(db)) fs.appendFileSync(path.join(dir, 'production-writes'), `mongosh\t${db}\t${what}\n`);
}
class Collection {
  constructor(db, name) { checkName('collection', name); this._db = db; this._name = name; }
  get _file() { return path.join(stateDir, this._db._name, this._name + '.jsonl'); }
  _docs() {
    let text = '';
    try { text = fs.readFileSync(this._file, 'utf8'); } catch (e) { return []; }
    return text.split('\n').filter((l) => l.length > 0).map((l) => norm(JSON.parse(l)));
  }
  countDocuments(filter = {}) { const f = norm(filter); return this._docs().filter((d) => matches(d, f)).length; }
  estimatedDocumentCount() { return this._docs().length; }
  count(filter = {}) { return this.countDocuments(filter); }
  findOne(filter = {}) { const f = norm(filter); return this._docs().find((d) => matches(d, f)) || null; }
  getIndexes() {
    if (!fs.existsSync(this._file)) return [];
    try {
      return norm(JSON.parse(fs.readFileSync(path.join(stateDir, this._db._name, this._name + '.indexes.json'), 'utf8')).indexes);
    } catch (e) { return [{ v: 2, key: { _id: 1 }, name: '_id_' }]; }
  }
  insertOne(doc) {
    noteWrite(this._db._name, 'insert ' + this._name);
    fs.mkdirSync(path.dirname(this._file), { recursive: true });
    if (!fs.existsSync(this._file)) {
      fs.writeFileSync(path.join(stateDir, this._db._name, this._name + '.indexes.json'),
                       JSON.stringify({ indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }] }) + '\n');
    }
    fs.appendFileSync(this._file, JSON.stringify(toEJSON(doc)) + '\n');
    return { acknowledged: true, insertedId: doc._id };
  }
  drop() {
    noteWrite(this._db._name, 'drop ' + this._name);
    for (const f of [this._file, path.join(stateDir, this._db._name, this._name + '.indexes.json')]) {
      fs.rmSync(f, { force: true });
    }
    return true;
  }
}
class Database {
  constructor(name) { checkName('database', name); this._name = name; }
  getName() { return this._name; }
  getSiblingDB(name) { return new Database(name); }
  getCollection(name) { return new Collection(this, name); }
  getCollectionNames() {
    let files = [];
    try { files = fs.readdirSync(path.join(stateDir, this._name)); } catch (e) { return []; }
    return files.filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort();
  }
  getCollectionInfos(filter = {}, options = {}) {
    void options;
    return this.getCollectionNames().map((name) => ({ name, type: 'collection' }))
      .filter((i) => matches(i, norm(filter)));
  }
  dropDatabase() {
    noteWrite(this._name, 'dropDatabase');
    fs.rmSync(path.join(stateDir, this._name), { recursive: true, force: true });
    return { ok: 1, dropped: this._name };
  }
  adminCommand(cmd) {
    if (cmd && cmd.listDatabases) {
      const names = new Set(production);
      try { for (const d of fs.readdirSync(stateDir)) names.add(d); } catch (e) { /* empty server */ }
      return { databases: [...names].sort().map((name) => ({ name })), ok: 1 };
    }
    if (cmd && (cmd.ping || cmd.hello || cmd.isMaster)) return { ok: 1 };
    throw new Error(`MongoServerError: no such command: '${Object.keys(cmd || {})[0]}'`);
  }
  runCommand(cmd) { return this.adminCommand(cmd); }
}

const EJSON = {
  stringify: (v) => JSON.stringify(toEJSON(v)),
  parse: (text) => norm(JSON.parse(text)),
};
class QuitSignal { constructor(code) { this.code = code; } }
const sandbox = {
  db: new Database('test'),
  print: (...a) => process.stdout.write(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') + '\n'),
  printjson: (x) => process.stdout.write(JSON.stringify(x, null, 2) + '\n'),
  quit: (code = 0) => { throw new QuitSignal(code); },
  Date,
  JSON,
};
if (!legacy) sandbox.EJSON = EJSON;
for (const script of opt.eval) {
  try {
    vm.runInNewContext(script, sandbox, { timeout: 30000 });
  } catch (e) {
    if (e instanceof QuitSignal) process.exit(e.code);
    fail(legacy ? `uncaught exception: ${e && e.message}` : `Uncaught ${e && e.stack ? e.stack.split('\n')[0] : e}`);
  }
}
process.exit(0);
