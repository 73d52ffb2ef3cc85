// Catches a render error anywhere below it and shows what went wrong with a way out (try again,
// or reset to the seed scenario), instead of a blank screen.
import { Component, type ErrorInfo, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  children: ReactNode;
  title: string;
  retryLabel: string;
  resetLabel: string;
  onReset: () => void;
}

/** React error boundary with retry and reset buttons. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Peakline UI error', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="crash">
        <h2>{this.props.title}</h2>
        <pre>{error.message}</pre>
        <div className="row">
          <button type="button" onClick={() => this.setState({ error: null })}>
            {this.props.retryLabel}
          </button>
          <button
            type="button"
            onClick={() => {
              this.props.onReset();
              this.setState({ error: null });
            }}
          >
            {this.props.resetLabel}
          </button>
        </div>
      </div>
    );
  }
}
