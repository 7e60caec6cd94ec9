package store

// Rechecks keeps the AI re-checks (智能核查) asked of edge boxes and their
// answers.
type Rechecks interface {
}
