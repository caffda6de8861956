/** The Eigen-CAM overlay of an image a run evaluated. The server may compute it on first request (a second or so);
 * 409 (no weights yet) or 503 (predictor unavailable) come back with a message, which is shown. */
import { Loader, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

async function fetchCam(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) {
    let detail = `Heatmap unavailable (HTTP ${response.status}).`;
    try {
      const body = (await response.json()) as { detail?: unknown } | null;
      if (typeof body?.detail === "string" && body.detail !== "Not Found") detail = body.detail;
    } catch {
      // not JSON
    }
    throw new Error(detail);
  }
  const blob = await response.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string); // readAsDataURL: a string
    reader.onerror = () => reject(new Error("The heatmap could not be read."));
    reader.readAsDataURL(blob);
  });
}

export function useCam(url: string | null) {
  return useQuery({ queryKey: ["cam", url], queryFn: () => fetchCam(url as string), enabled: url !== null, retry: false, staleTime: Infinity });
}

export function CamImage({ url, alt }: { url: string; alt: string }) {
  const cam = useCam(url);
  if (cam.data) return <img src={cam.data} alt={alt} data-testid="cam-image" />;
  return (
    <div className="vf-cam-box" data-testid="cam-state" data-state={cam.error ? "error" : "loading"}>
      {cam.error ? (
        <Text size="xs" c="red" p={6} ta="center" data-testid="cam-error">
          {cam.error.message}
        </Text>
      ) : (
        <Loader size="xs" />
      )}
    </div>
  );
}
