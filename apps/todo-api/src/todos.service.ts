import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** A to-do item, owned by the `sub` that created it. */
export interface Todo {
  readonly id: string;
  readonly owner: string;
  readonly title: string;
  readonly done: boolean;
  readonly createdAt: string;
}

/** A todo created or deleted, for the live feed. */
export interface TodoChange {
  readonly type: 'created' | 'deleted';
  readonly todo: Todo;
}

/** Todos in memory, per owner; every change is told to the watchers of its owner. */
@Injectable()
export class TodosService {
  private readonly todos = new Map<string, Todo>();
  // one listener per live connection: no limit
  private readonly changes = new EventEmitter().setMaxListeners(0);

  /** Calls `listener` with each change to `owner`'s todos, and to no one else's; returns the function that stops it. */
  watch(owner: string, listener: (change: TodoChange) => void): () => void {
    const own = (change: TodoChange) => {
      if (change.todo.owner === owner) listener(change);
    };
    this.changes.on('change', own);
    return () => this.changes.off('change', own);
  }

  listFor(owner: string): Todo[] {
    return [...this.todos.values()].filter((todo) => todo.owner === owner);
  }

  create(owner: string, title: string): Todo {
    const todo: Todo = { id: randomUUID(), owner, title, done: false, createdAt: new Date().toISOString() };
    this.todos.set(todo.id, todo);
    this.changed('created', todo);
    return todo;
  }

  /** Deletes every todo of `owner`; returns how many there were. */
  deleteAllOf(owner: string): number {
    let deleted = 0;
    for (const [id, todo] of this.todos) {
      if (todo.owner === owner && this.todos.delete(id)) {
        deleted += 1;
        this.changed('deleted', todo);
      }
    }
    return deleted;
  }

  /** Returns false for an unknown id. */
  delete(id: string): boolean {
    const todo = this.todos.get(id);
    if (!todo || !this.todos.delete(id)) return false;
    this.changed('deleted', todo);
    return true;
  }

  private changed(type: TodoChange['type'], todo: Todo): void {
    this.changes.emit('change', { type, todo } satisfies TodoChange);
  }
}
