// Entry of the OpenTelemetry 3.x child: `node --import ./setup.mjs app.mjs`, the same routes
// as the 2.x runs with this package's express, adapter and api. Prints {"port":N,"api":V}.
import { trace } from '@opentelemetry/api'
import * as tracium from '@tracium/express'
import express from 'express'
import { backgroundSpans, startApp } from '../fixtures/routes.mjs'

const port = await startApp('express', { frameworkModule: express, tracium, trace })
backgroundSpans({ tracium, trace })
const api = globalThis[Symbol.for('opentelemetry.js.api.1')]?.version
process.stdout.write(`${JSON.stringify({ port, api })}\n`)
