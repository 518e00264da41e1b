// One registry pattern for every plug-in point (routers, cost models, workloads, load modes): named
// entries with a description; an unknown name is a one-line InputError listing the known ones.
import { inputError } from './errors.ts';
import { didYouMean } from './suggest.ts';

export interface RegistryEntry<T> {
  name: string;
  description: string;
  value: T;
}

export class Registry<T> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  /** `kind` names what is registered ("router mode", "workload", …) in error messages. */
  constructor(readonly kind: string) {}

  register(name: string, description: string, value: T): this {
    if (this.entries.has(name)) throw new Error(`${this.kind} '${name}' registered twice`);
    this.entries.set(name, { name, description, value });
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry called `name`; `where` places the error (file, field) when there is none. */
  get(name: string, where: { file?: string; field?: string } = {}): T {
    const e = this.entries.get(name);
    if (e === undefined) throw inputError(where, `unknown ${this.kind} '${name}'${didYouMean(name, this.names())}; known: ${this.names().join(', ')}`);
    return e.value;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): readonly RegistryEntry<T>[] {
    return [...this.entries.values()];
  }
}
