import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart as ChartJs, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';

ChartJs.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/**
 * A Chart.js chart on a canvas. A canvas says nothing to a screen reader, so the chart carries a short
 * summary as its label and the same numbers as a table under "Show the numbers".
 */
export function Chart({ kind, labels, values, label, summary, format = String, horizontal = false }: {
  kind: 'bar' | 'line';
  labels: string[];
  values: number[];
  label: string;
  summary: string;
  format?: (value: number) => string;
  horizontal?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<'bar' | 'line'> = {
      type: kind,
      data: { labels, datasets: [{ label, data: values, backgroundColor: '#0b5cad', borderColor: '#0b5cad', tension: 0.2, pointRadius: values.length > 60 ? 0 : 2 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${label}: ${format(Number(item.raw))}` } } },
        scales: { [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { callback: (value: string | number) => format(Number(value)) } } },
      },
    };
    const chart = new ChartJs(canvas.current, config);
    return () => chart.destroy();
  }, [kind, labels, values, label, format, horizontal]);
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      <div className="chart-canvas">
        <canvas ref={canvas} role="img" aria-label={`${label}: ${summary}`} />
      </div>
      <details>
        <summary>Show the numbers</summary>
        <div className="table-wrap">
          <table>
            <tbody>
              {labels.map((name, index) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td className="num">{format(values[index])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
