import { createNestApp } from './nest.js'

export const createApp = (variant) => createNestApp('express', variant)
