import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** A to-do item, owned by the `sub` that created it. */
export interface Todo {
  readonly id: string;
  readonly owner: string;
  readonly title: string;
  readonly done: boolean;
  readonly createdAt: string;
}

/** Todos in memory, per owner. */
@Injectable()
export class TodosService {
  private readonly todos = new Map<string, Todo>();

  listFor(owner: string): Todo[] {
    return [...this.todos.values()].filter((todo) => todo.owner === owner);
  }

  create(owner: string, title: string): Todo {
    const todo: Todo = { id: randomUUID(), owner, title, done: false, createdAt: new Date().toISOString() };
    this.todos.set(todo.id, todo);
    return todo;
  }

  /** Deletes every todo of `owner`; returns how many there were. */
  deleteAllOf(owner: string): number {
    let deleted = 0;
    for (const [id, todo] of this.todos) {
      if (todo.owner === owner && this.todos.delete(id)) deleted += 1;
    }
    return deleted;
  }

  /** Returns false for an unknown id. */
  delete(id: string): boolean {
    return this.todos.delete(id);
  }
}
