#!/usr/bin/env node
/**
 * The anchor of the report benchmark: what a user would reach for, DuckDB's `read_json` over the
 * store's segments, computing the report's per-tenant numbers (traces, failed, p50/p95,
 * tokens, cost). Columns are given, so DuckDB neither samples a schema nor builds the spans.
 *
 *   node bench/duckdb-report.mjs <store>/segments
 */
import { DuckDBInstance } from '@duckdb/node-api'

const folder = process.argv[2]
if (!folder) throw new Error('usage: duckdb-report.mjs <segments folder>')
const files = `${folder.replaceAll("'", "''")}/*.jsonl`
const sql = `
  SELECT tenantId, count(*) AS traces, count(*) FILTER (status = 'failed') AS failed,
         quantile_disc(durationMs, 0.5) AS p50, quantile_disc(durationMs, 0.95) AS p95,
         sum(inputTokens) AS inputTokens, sum(outputTokens) AS outputTokens, sum(costUsd) AS costUsd
  FROM read_json('${files}', format = 'newline_delimited', ignore_errors = true,
    columns = {tenantId: 'VARCHAR', status: 'VARCHAR', durationMs: 'DOUBLE',
               inputTokens: 'BIGINT', outputTokens: 'BIGINT', costUsd: 'DOUBLE'})
  GROUP BY tenantId ORDER BY traces DESC, tenantId`
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
const rows = (await connection.runAndReadAll(sql)).getRowObjects()
console.log(
  `duckdb ${rows.length} tenants; first: ${JSON.stringify(rows[0], (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`,
)
