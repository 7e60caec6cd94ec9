package store

// Models keeps the model registry (versions by sha256), device groups and
// rollouts, and what each device reports it runs.
type Models interface {
}
