/** A server-side sort: column key and direction. */
export interface TableSort {
  prop: string;
  order: 'asc' | 'desc';
}
