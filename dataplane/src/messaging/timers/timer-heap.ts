/** A binary min-heap by due time, then origin (so timers due at the same ms fire in the order they were sent). */
export class TimerHeap<T extends { readonly deliverAt: number; readonly origin: number }> {
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!before(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right] as T, items[left] as T) ? right : left;
      if (!before(items[child] as T, last)) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function before(a: { deliverAt: number; origin: number }, b: { deliverAt: number; origin: number }): boolean {
  return a.deliverAt < b.deliverAt || (a.deliverAt === b.deliverAt && a.origin < b.origin);
}
