/** A server-side sort: column key and direction. */
export interface TableSort {
  prop: string;
  order: 'asc' | 'desc';
}

/**
 * A cell's row as a list of zero or one: el-table renders a placeholder row (without an `id`)
 * while it measures its columns, and a cell template must not read a record's fields from it.
 * Use as `<template v-for="item in realRows<Item>(row)" :key="item.id">`.
 */
export function realRows<Row extends { id: unknown }>(row: unknown): Row[] {
  return (row as Partial<Row> | null)?.id === undefined ? [] : [row as Row];
}
