// @dynamis/chaos: fault-injection tools. Hostile peers: a compromised node
// (a Transport decorator that authenticates for real and sends bad content)
// and builders of bad content in valid shapes (README "Hostile peers").
export * from './hostile';
