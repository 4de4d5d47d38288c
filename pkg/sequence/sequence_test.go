package sequence

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call is one invocation seen by fakeInvoker.
type call struct {
	action string
	params map[string]any
}

// fakeInvoker records invocations and answers from per-action functions; an
// action without a function echoes its parameters back.
type fakeInvoker struct {
	handlers map[string]func(params map[string]any) (map[string]any, error)
	calls    []call
}

func (f *fakeInvoker) Invoke(_ context.Context, action string, params map[string]any) (map[string]any, error) {
	f.calls = append(f.calls, call{action: action, params: maps.Clone(params)})
	if h, ok := f.handlers[action]; ok {
		return h(params)
	}
	return maps.Clone(params), nil
}

func (f *fakeInvoker) actions() []string {
	var names []string
	for _, c := range f.calls {
		names = append(names, c.action)
	}
	return names
}

// returns makes a handler that ignores its input and returns result.
func returns(result map[string]any) func(map[string]any) (map[string]any, error) {
	return func(map[string]any) (map[string]any, error) { return maps.Clone(result), nil }
}

func TestFirstComponentPrecedence(t *testing.T) {
	// Every layer defines "all" and a key only it and the layers below define,
	// so each level's winner is visible.
	seq := Sequence{
		Name:            "pipeline",
		PackageDefaults: map[string]any{"all": "package", "pkg": "package", "pkg-act": "package", "pkg-trg": "package", "pkg-pay": "package"},
		TriggerDefaults: map[string]any{"all": "trigger", "trg": "trigger", "pkg-trg": "trigger", "act-trg": "trigger", "trg-pay": "trigger"},
		Components: []Component{
			{Name: "a", Defaults: map[string]any{"all": "action", "act": "action", "pkg-act": "action", "act-trg": "action", "act-pay": "action"}},
		},
	}
	payload := map[string]any{"all": "payload", "pay": "payload", "pkg-pay": "payload", "trg-pay": "payload", "act-pay": "payload"}

	tests := []struct {
		name string
		key  string
		want string
	}{
		{name: "payload beats everything", key: "all", want: "payload"},
		{name: "package only", key: "pkg", want: "package"},
		{name: "action only", key: "act", want: "action"},
		{name: "trigger only", key: "trg", want: "trigger"},
		{name: "payload only", key: "pay", want: "payload"},
		{name: "action beats package", key: "pkg-act", want: "action"},
		{name: "trigger beats package", key: "pkg-trg", want: "trigger"},
		{name: "trigger beats action", key: "act-trg", want: "trigger"},
		{name: "payload beats package", key: "pkg-pay", want: "payload"},
		{name: "payload beats trigger", key: "trg-pay", want: "payload"},
		{name: "payload beats action", key: "act-pay", want: "payload"},
	}

	inv := &fakeInvoker{}
	out := seq.Run(context.Background(), inv, payload)
	require.False(t, out.Failed, "result: %v", out.Result)
	require.Len(t, inv.calls, 1)
	got := inv.calls[0].params
	assert.Equal(t, seq.FirstParams(payload), got)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, got[tt.key], "param %q", tt.key)
		})
	}
}

func TestLaterComponentPrecedence(t *testing.T) {
	seq := Sequence{
		PackageDefaults: map[string]any{"all": "package", "pkg": "package", "pkg-act": "package", "pkg-prev": "package"},
		TriggerDefaults: map[string]any{"trg": "trigger"},
		Components: []Component{
			{Name: "a", Defaults: map[string]any{"a-default": "a"}},
			{Name: "b", Defaults: map[string]any{"all": "action", "act": "action", "pkg-act": "action", "act-prev": "action"}},
		},
	}
	inv := &fakeInvoker{handlers: map[string]func(map[string]any) (map[string]any, error){
		"a": returns(map[string]any{"all": "prev", "prev": "prev", "pkg-prev": "prev", "act-prev": "prev"}),
	}}

	out := seq.Run(context.Background(), inv, map[string]any{"pay": "payload", "all": "payload"})
	require.False(t, out.Failed, "result: %v", out.Result)
	require.Len(t, inv.calls, 2)

	want := map[string]any{
		"all":      "prev",    // previous result beats action and package defaults
		"pkg":      "package", // package defaults reach every component
		"pkg-act":  "action",  // action defaults beat package defaults
		"act":      "action",
		"prev":     "prev",
		"pkg-prev": "prev",
		"act-prev": "prev",
	}
	assert.Equal(t, want, inv.calls[1].params)
	assert.Equal(t, want, out.Result, "the echoing last component's result is the sequence result")
}

func TestSecondComponentSeesOnlyPreviousResult(t *testing.T) {
	seq := Sequence{
		PackageDefaults: map[string]any{"bucket": "uploads"},
		TriggerDefaults: map[string]any{"source": "objectstorage"},
		Components: []Component{
			{Name: "/guest/vodflow/lookup-category", Defaults: map[string]any{"lookup-only": true}},
			{Name: "/guest/vodflow/add-files", Defaults: map[string]any{"endpoint": "https://vod"}},
		},
	}
	inv := &fakeInvoker{handlers: map[string]func(map[string]any) (map[string]any, error){
		"/guest/vodflow/lookup-category": returns(map[string]any{"categoryId": 42, "paths": []any{"a.mp4"}}),
		"/guest/vodflow/add-files":       returns(map[string]any{"added": 1}),
	}}
	payload := map[string]any{"object_name": "a.mp4", "secret": "do-not-forward"}

	out := seq.Run(context.Background(), inv, payload)

	require.False(t, out.Failed, "result: %v", out.Result)
	require.Len(t, inv.calls, 2)
	assert.Equal(t, map[string]any{
		"bucket": "uploads", "source": "objectstorage", "lookup-only": true,
		"object_name": "a.mp4", "secret": "do-not-forward",
	}, inv.calls[0].params)
	assert.Equal(t, map[string]any{
		"bucket": "uploads", "endpoint": "https://vod",
		"categoryId": 42, "paths": []any{"a.mp4"},
	}, inv.calls[1].params, "no payload, trigger defaults or action 1 defaults")
	assert.Equal(t, map[string]any{"added": 1}, out.Result)

	require.Len(t, out.Steps, 2)
	assert.Equal(t, "/guest/vodflow/lookup-category", out.Steps[0].Action)
	assert.Equal(t, map[string]any{"categoryId": 42, "paths": []any{"a.mp4"}}, out.Steps[0].Result)
	assert.Equal(t, inv.calls[1].params, out.Steps[1].Params)
	for _, s := range out.Steps {
		assert.NoError(t, s.Err)
		assert.False(t, s.Failed())
	}
}

func TestRunStopsAtFailure(t *testing.T) {
	crash := errors.New("command exited")
	tests := []struct {
		name        string
		handlers    map[string]func(map[string]any) (map[string]any, error)
		wantCalls   []string
		wantResult  map[string]any
		wantStepErr error
	}{
		{
			name: "application error in first component",
			handlers: map[string]func(map[string]any) (map[string]any, error){
				"a": returns(map[string]any{"error": "no category", "detail": 1}),
			},
			wantCalls:  []string{"a"},
			wantResult: map[string]any{"error": "no category", "detail": 1},
		},
		{
			name: "application error in middle component",
			handlers: map[string]func(map[string]any) (map[string]any, error){
				"b": returns(map[string]any{"error": map[string]any{"code": 404}}),
			},
			wantCalls:  []string{"a", "b"},
			wantResult: map[string]any{"error": map[string]any{"code": 404}},
		},
		{
			name: "error key with null value still fails",
			handlers: map[string]func(map[string]any) (map[string]any, error){
				"a": returns(map[string]any{"error": nil}),
			},
			wantCalls:  []string{"a"},
			wantResult: map[string]any{"error": nil},
		},
		{
			name: "invoker error",
			handlers: map[string]func(map[string]any) (map[string]any, error){
				"b": func(map[string]any) (map[string]any, error) { return map[string]any{"ignored": true}, crash },
			},
			wantCalls:   []string{"a", "b"},
			wantResult:  map[string]any{"error": map[string]any{"message": "b: command exited"}},
			wantStepErr: crash,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := Sequence{Components: []Component{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
			inv := &fakeInvoker{handlers: tt.handlers}

			out := seq.Run(context.Background(), inv, map[string]any{"in": 1})

			assert.True(t, out.Failed)
			assert.Equal(t, tt.wantCalls, inv.actions(), "later components must not be invoked")
			assert.Equal(t, tt.wantResult, out.Result)
			require.Len(t, out.Steps, len(tt.wantCalls))
			last := out.Steps[len(out.Steps)-1]
			assert.True(t, last.Failed())
			if tt.wantStepErr != nil {
				assert.ErrorIs(t, last.Err, tt.wantStepErr)
				assert.Nil(t, last.Result)
			} else {
				assert.NoError(t, last.Err)
				assert.Equal(t, tt.wantResult, last.Result)
			}
		})
	}
}

func TestRunCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	inv := &fakeInvoker{handlers: map[string]func(map[string]any) (map[string]any, error){
		"a": func(p map[string]any) (map[string]any, error) { cancel(); return p, nil },
	}}
	seq := Sequence{Components: []Component{{Name: "a"}, {Name: "b"}}}

	out := seq.Run(ctx, inv, nil)

	assert.True(t, out.Failed)
	assert.Equal(t, []string{"a"}, inv.actions())
	require.Len(t, out.Steps, 2)
	assert.ErrorIs(t, out.Steps[1].Err, context.Canceled)
	assert.Equal(t, map[string]any{"error": map[string]any{"message": "b: not invoked: context canceled"}}, out.Result)
}

func TestRunNilResultIsEmptyObject(t *testing.T) {
	inv := &fakeInvoker{handlers: map[string]func(map[string]any) (map[string]any, error){
		"a": func(map[string]any) (map[string]any, error) { return nil, nil },
	}}
	seq := Sequence{
		PackageDefaults: map[string]any{"p": 1},
		Components:      []Component{{Name: "a"}, {Name: "b"}},
	}

	out := seq.Run(context.Background(), inv, map[string]any{"in": 1})

	require.False(t, out.Failed)
	assert.Equal(t, map[string]any{}, out.Steps[0].Result)
	assert.Equal(t, map[string]any{"p": 1}, inv.calls[1].params)
}

func TestRunEmptySequence(t *testing.T) {
	out := Sequence{Name: "empty"}.Run(context.Background(), &fakeInvoker{}, nil)
	assert.True(t, out.Failed)
	assert.Empty(t, out.Steps)
	assert.Equal(t, map[string]any{"error": map[string]any{"message": "empty: sequence has no components"}}, out.Result)
}

func TestRunDoesNotModifyInputs(t *testing.T) {
	pkg := map[string]any{"p": 1}
	trg := map[string]any{"t": 1}
	defA := map[string]any{"a": 1}
	defB := map[string]any{"b": 1}
	payload := map[string]any{"x": 1}
	// The invokers write into the params they get, as a careless action would.
	inv := InvokerFunc(func(_ context.Context, action string, params map[string]any) (map[string]any, error) {
		params["written-by-"+action] = true
		delete(params, "p")
		return map[string]any{"from": action}, nil
	})
	seq := Sequence{
		PackageDefaults: pkg, TriggerDefaults: trg,
		Components: []Component{{Name: "a", Defaults: defA}, {Name: "b", Defaults: defB}},
	}

	out := seq.Run(context.Background(), inv, payload)

	require.False(t, out.Failed)
	assert.Equal(t, map[string]any{"from": "b"}, out.Result)
	assert.Equal(t, map[string]any{"p": 1}, pkg)
	assert.Equal(t, map[string]any{"t": 1}, trg)
	assert.Equal(t, map[string]any{"a": 1}, defA)
	assert.Equal(t, map[string]any{"b": 1}, defB)
	assert.Equal(t, map[string]any{"x": 1}, payload)
}
